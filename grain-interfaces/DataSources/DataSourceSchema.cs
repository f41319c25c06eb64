namespace Mcp.Cluster.DataSources;

/// <summary>The tables and columns a caller may see, with the mask that applies to each visible field.</summary>
[GenerateSerializer, Immutable, Alias("mcp.DataSourceSchema")]
public sealed record DataSourceSchema(
    [property: Id(0)] string Name,
    [property: Id(1)] DateTimeOffset? RefreshedAt,
    [property: Id(2)] long Generation,
    [property: Id(3)] IReadOnlyList<TableSchema> Tables,
    [property: Id(4)] IReadOnlyDictionary<string, MaskKind> Masks);
