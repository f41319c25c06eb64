namespace Mcp.Cluster.DataSources;

/// <summary>
/// A structured read of one table: which fields, which rows, in which order, which page. Without a
/// <see cref="Table"/> the source chooses one (its only readable table, else the only one with every named field).
/// With <see cref="Aggregates"/> the rows are groups (one per distinct <see cref="GroupBy"/> value, or one in all):
/// the group fields followed by one column per aggregate. A field may name a member of an object or JSON field by
/// path (<c>salary_range.max</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataQuery")]
public sealed record DataQuery(
    [property: Id(0)] string? Table,
    [property: Id(1)] IReadOnlyList<string>? Fields,
    [property: Id(2)] IReadOnlyList<DataFilter> Filters,
    [property: Id(3)] IReadOnlyList<DataOrder> OrderBy,
    [property: Id(4)] int? Limit,
    [property: Id(5)] int Offset,
    [property: Id(6)] IReadOnlyList<DataAggregate>? Aggregates = null,
    [property: Id(7)] IReadOnlyList<string>? GroupBy = null);
