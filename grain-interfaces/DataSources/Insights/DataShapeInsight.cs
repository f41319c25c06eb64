namespace Mcp.Cluster.DataSources.Insights;

/// <summary>One query shape's totals since it was first seen (or kept), with the advice that applies to it.</summary>
/// <param name="P95Ms">Estimated from a latency histogram: the upper bound of the bucket the 95th percentile falls in, at most <see cref="MaxMs"/>.</param>
/// <param name="IndexesKnown">Whether the source reports the table's indexes (index advice is only given then).</param>
/// <param name="CacheHitRate">Hits among the reads made while caching was on; null when it never was.</param>
[GenerateSerializer, Immutable, Alias("mcp.DataShapeInsight")]
public sealed record DataShapeInsight(
    [property: Id(0)] DataQueryShape Shape,
    [property: Id(1)] long Count,
    [property: Id(2)] long Failures,
    [property: Id(3)] double AvgMs,
    [property: Id(4)] double P95Ms,
    [property: Id(5)] double MaxMs,
    [property: Id(6)] double RowsAvg,
    [property: Id(7)] long RowsMax,
    [property: Id(8)] double? CacheHitRate,
    [property: Id(9)] DateTimeOffset LastSeen,
    [property: Id(10)] IReadOnlyList<DataQuerySuggestion> Suggestions,
    [property: Id(11)] bool IndexesKnown);
