using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Usage;

/// <summary>Bound from <c>Usage</c> on silos.</summary>
public sealed class UsageMetricsOptions
{
    public const string Section = "Usage";

    /// <summary>How often a usage grain writes changed counts; the most a silo crash can lose of a scope's counts.</summary>
    [Positive]
    public TimeSpan PersistInterval { get; set; } = TimeSpan.FromSeconds(5);
}
