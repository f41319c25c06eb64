namespace Mcp.Cluster.DataSources.Insights;

/// <summary>
/// The query shapes of one source (keyed by its name), as the silos' executors report them in batches: counts,
/// latency, rows and cache hits per shape, kept across restarts and bounded in number.
/// </summary>
[Alias("mcp.datasource-insights")]
public interface IDataQueryInsightsGrain : IGrainWithStringKey
{
    /// <summary>Adds one silo's batch.</summary>
    [Alias("record")]
    Task RecordAsync(DataInsightsBatch batch);

    /// <summary>The insights with advice, for an admin; null when the source does not exist.</summary>
    [Alias("report")]
    Task<DataInsightsReport?> GetReportAsync(int limit, DataInsightsSort sort, DataCaller caller);

    /// <summary>Forgets everything (the source was deleted).</summary>
    [Alias("clear")]
    Task ClearAsync();
}
