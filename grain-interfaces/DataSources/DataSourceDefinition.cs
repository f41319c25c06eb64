namespace Mcp.Cluster.DataSources;

/// <summary>
/// A data source as an admin registers it. <see cref="ConfigJson"/> is the connector's settings (secrets as values,
/// encrypted at rest, or <c>${VAR}</c> references); <see cref="Masks"/> are source-wide masks keyed <c>table.field</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataSourceDefinition")]
public sealed record DataSourceDefinition(
    [property: Id(0)] string Type,
    [property: Id(1)] string? Description,
    [property: Id(2)] string ConfigJson,
    [property: Id(3)] DataAccessDefault DefaultAccess,
    [property: Id(4)] IReadOnlyDictionary<string, MaskKind> Masks,
    [property: Id(5)] DataQuotas DefaultQuotas,
    [property: Id(6)] TimeSpan CacheTtl,
    [property: Id(7)] TimeSpan? RefreshInterval);
