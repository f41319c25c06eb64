namespace Mcp.Cluster.Alerts;

/// <summary>What an alert rule measures over its window.</summary>
public enum AlertRuleKind
{
    /// <summary>95th percentile latency of reads of a data source, in seconds (per source).</summary>
    SlowQueries,

    /// <summary>Share of requests answered with a 5xx status, cluster-wide, in [0, 1].</summary>
    ErrorRate,

    /// <summary>Share of query-cache lookups that missed, per source, in [0, 1].</summary>
    CacheMissRate,

    /// <summary>Reads of data sources running at the moment of evaluation, summed over the cluster (or one source).</summary>
    ConcurrentQueries,
}
