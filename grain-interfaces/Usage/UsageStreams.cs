namespace Mcp.Cluster.Usage;

/// <summary>
/// The Orleans streams usage events travel on (memory streams of the <c>mcp</c> provider). Gateways publish each
/// flush's events to one stream per <see cref="UsageScope"/> in <see cref="Namespace"/>, where the
/// <see cref="IUsageMetricsGrain"/> of the same key consumes them through an implicit subscription, and the whole flush
/// to <see cref="AlertsNamespace"/>/<see cref="AlertsKey"/> for the cluster's alert evaluator. Memory streams are not
/// durable: a batch in a gateway's buffer or in a silo's queue when that process dies is lost.
/// </summary>
public static class UsageStreams
{
    public const string Namespace = "usage";
    public const string AlertsNamespace = "usage-alerts";
    public const string AlertsKey = "cluster";
}
