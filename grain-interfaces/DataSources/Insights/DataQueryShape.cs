namespace Mcp.Cluster.DataSources.Insights;

/// <summary>
/// A read with its values removed, so that reads which differ only in their values count as one: the table, the
/// sorted set of (field, operator) the caller filtered on, the order, whether it had a limit, a large offset,
/// aggregates or groups, how many fields it named (0: all), and <see cref="Statement"/>, a text of it without values
/// (the normalized statement of raw SQL, <see cref="SqlKind"/>, with each literal replaced by <c>?</c>).
/// <see cref="Id"/> (<c>qs_…</c>) is a hash of all of that, stable across silos and restarts.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataQueryShape")]
public sealed record DataQueryShape(
    [property: Id(0)] string Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] string? Table,
    [property: Id(3)] IReadOnlyList<DataShapeFilter> Filters,
    [property: Id(4)] IReadOnlyList<DataOrder> OrderBy,
    [property: Id(5)] bool HasLimit,
    [property: Id(6)] bool LargeOffset,
    [property: Id(7)] bool HasAggregates,
    [property: Id(8)] bool HasGroupBy,
    [property: Id(9)] int FieldCount,
    [property: Id(10)] string Statement)
{
    public const string QueryKind = "query";
    public const string SqlKind = "sql";
}
