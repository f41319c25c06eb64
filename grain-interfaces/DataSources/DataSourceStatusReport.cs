namespace Mcp.Cluster.DataSources;

[GenerateSerializer, Immutable, Alias("mcp.DataSourceStatusReport")]
public sealed record DataSourceStatusReport(
    [property: Id(0)] string Name,
    [property: Id(1)] DataSourceStatus Status,
    [property: Id(2)] bool? Healthy,
    [property: Id(3)] DateTimeOffset? LastCheckedAt,
    [property: Id(4)] double? LastCheckMs,
    [property: Id(5)] string? LastError,
    [property: Id(6)] DateTimeOffset? SchemaRefreshedAt,
    [property: Id(7)] int TableCount,
    [property: Id(8)] long Generation,
    [property: Id(9)] long Queries,
    [property: Id(10)] long Denied,
    [property: Id(11)] long Failed,
    [property: Id(12)] long RowsReturned,
    [property: Id(13)] long CacheHits,
    [property: Id(14)] long CacheMisses);
