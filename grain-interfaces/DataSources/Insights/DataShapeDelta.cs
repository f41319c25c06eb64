namespace Mcp.Cluster.DataSources.Insights;

/// <summary>
/// What one silo saw of one query shape since its last report. <see cref="Histogram"/> counts successful reads per
/// latency bucket (bounds in <c>LatencyHistogram</c>); <see cref="CacheLookups"/> counts the reads made while caching
/// was on, of which <see cref="CacheHits"/> were answered from the cache.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataShapeDelta")]
public sealed record DataShapeDelta(
    [property: Id(0)] DataQueryShape Shape,
    [property: Id(1)] long Count,
    [property: Id(2)] long Failures,
    [property: Id(3)] double TotalMs,
    [property: Id(4)] double MaxMs,
    [property: Id(5)] IReadOnlyList<long> Histogram,
    [property: Id(6)] long RowsTotal,
    [property: Id(7)] long RowsMax,
    [property: Id(8)] long CacheHits,
    [property: Id(9)] long CacheLookups,
    [property: Id(10)] DateTimeOffset LastSeen);
