namespace Mcp.Cluster.DataSources.Insights;

/// <summary>What a read asked for, as the executor hands it to <see cref="DataInsightsRecorder"/>: a structured query or a raw SQL statement.</summary>
public readonly record struct ObservedRead(DataQuery? Query, string? Sql)
{
    public static ObservedRead Of(DataQuery query) => new(query, null);

    public static ObservedRead Of(string sql) => new(null, sql);
}
