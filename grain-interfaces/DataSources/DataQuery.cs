namespace Mcp.Cluster.DataSources;

/// <summary>
/// A structured read of one table: which fields, which rows, in which order, which page. Without a
/// <see cref="Table"/> the source chooses one (its only readable table, else the only one with every named field).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataQuery")]
public sealed record DataQuery(
    [property: Id(0)] string? Table,
    [property: Id(1)] IReadOnlyList<string>? Fields,
    [property: Id(2)] IReadOnlyList<DataFilter> Filters,
    [property: Id(3)] IReadOnlyList<DataOrder> OrderBy,
    [property: Id(4)] int? Limit,
    [property: Id(5)] int Offset);
