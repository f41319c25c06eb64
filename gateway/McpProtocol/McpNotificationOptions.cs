using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>Bound from <c>Mcp:Notifications</c>; see <see cref="CatalogChangeListener"/>.</summary>
public sealed class McpNotificationOptions
{
    public const string Section = "Mcp:Notifications";

    /// <summary>
    /// How often the gateway asks the cluster whether its subscription to the catalog-change stream is still registered.
    /// The silo delivering the stream drops a consumer it could not reach (a silo or connection lost) without telling
    /// it; this check is how the gateway finds out and subscribes again.
    /// </summary>
    [Positive]
    public TimeSpan SubscriptionCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait before trying again after subscribing failed (the cluster may still be failing over).</summary>
    [Positive]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one check or subscription attempt may take before it counts as failed.</summary>
    [Positive]
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Consecutive failed checks after which readiness reports the subscription as unverified (degraded): one failed
    /// check is usually a silo being declared dead, several mean the gateway cannot tell whether it is notified.
    /// </summary>
    [Positive]
    public int UnverifiedAfterFailedChecks { get; set; } = 3;
}
