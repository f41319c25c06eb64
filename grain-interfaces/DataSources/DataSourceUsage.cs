namespace Mcp.Cluster.DataSources;

/// <summary>One key's use of one source today (UTC) and in total, with the quotas that apply to it.</summary>
[GenerateSerializer, Immutable, Alias("mcp.DataSourceUsage")]
public sealed record DataSourceUsage(
    [property: Id(0)] string Source,
    [property: Id(1)] string KeyId,
    [property: Id(2)] DateOnly Day,
    [property: Id(3)] long QueriesToday,
    [property: Id(4)] long RowsToday,
    [property: Id(5)] long TotalQueries,
    [property: Id(6)] long TotalRows,
    [property: Id(7)] long Denied,
    [property: Id(8)] DataQuotas Quotas);
