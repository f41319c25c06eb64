namespace Mcp.Cluster.DataSources;

/// <summary>
/// What one silo's executors did with one source since their last report: counters to add and the reads running
/// there now. Sent in batches (see <c>DataSourceGrainOptions.UsageReportInterval</c>), never per read.
/// </summary>
/// <param name="Reporter">The silo that reports; its <see cref="ActiveQueries"/> replaces its previous figure.</param>
[GenerateSerializer, Immutable, Alias("mcp.DataUsageReport")]
public sealed record DataUsageReport(
    [property: Id(0)] string Reporter,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] int ActiveQueries,
    [property: Id(3)] IReadOnlyList<DataKeyUsageDelta> Keys,
    [property: Id(4)] long Queries,
    [property: Id(5)] long Denied,
    [property: Id(6)] long Failed,
    [property: Id(7)] long Rows,
    [property: Id(8)] long CacheHits,
    [property: Id(9)] long CacheMisses);

/// <summary>One key's reads since the last report; <see cref="Day"/> is the UTC day they were counted on.</summary>
[GenerateSerializer, Immutable, Alias("mcp.DataKeyUsageDelta")]
public sealed record DataKeyUsageDelta(
    [property: Id(0)] string KeyId,
    [property: Id(1)] DateOnly Day,
    [property: Id(2)] long Queries,
    [property: Id(3)] long Rows,
    [property: Id(4)] long Denied);
