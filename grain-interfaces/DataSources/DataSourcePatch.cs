namespace Mcp.Cluster.DataSources;

/// <summary>A partial change; null members stay as they are. <see cref="ConfigMergePatch"/> is a JSON merge patch of the config.</summary>
[GenerateSerializer, Immutable, Alias("mcp.DataSourcePatch")]
public sealed record DataSourcePatch(
    [property: Id(0)] string? Description,
    [property: Id(1)] string? ConfigMergePatch,
    [property: Id(2)] DataAccessDefault? DefaultAccess,
    [property: Id(3)] IReadOnlyDictionary<string, MaskKind>? Masks,
    [property: Id(4)] DataQuotas? DefaultQuotas,
    [property: Id(5)] TimeSpan? CacheTtl,
    [property: Id(6)] bool SetRefreshInterval,
    [property: Id(7)] TimeSpan? RefreshInterval,
    [property: Id(8)] bool? Disabled);
