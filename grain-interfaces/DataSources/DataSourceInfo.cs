namespace Mcp.Cluster.DataSources;

/// <summary>A data source as callers see it; <see cref="ConfigJson"/> has every secret masked.</summary>
[GenerateSerializer, Immutable, Alias("mcp.DataSourceInfo")]
public sealed record DataSourceInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string Type,
    [property: Id(2)] string? Description,
    [property: Id(3)] string ConfigJson,
    [property: Id(4)] DataSourceStatus Status,
    [property: Id(5)] DataAccessDefault DefaultAccess,
    [property: Id(6)] IReadOnlyDictionary<string, MaskKind> Masks,
    [property: Id(7)] DataQuotas DefaultQuotas,
    [property: Id(8)] TimeSpan CacheTtl,
    [property: Id(9)] TimeSpan? RefreshInterval,
    [property: Id(10)] int TableCount,
    [property: Id(11)] DateTimeOffset CreatedAt,
    [property: Id(12)] DateTimeOffset UpdatedAt,
    [property: Id(13)] string CreatedBy);
