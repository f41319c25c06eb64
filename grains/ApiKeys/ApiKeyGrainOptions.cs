using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.ApiKeys;

/// <summary>Bound from the <c>ApiKeys</c> section on silos.</summary>
public sealed class ApiKeyGrainOptions
{
    public const string Section = "ApiKeys";

    /// <summary>
    /// How often a key grain writes its usage counters. Counters are written on every graceful deactivation too, so
    /// only a crashed silo loses usage, and at most this much of it.
    /// </summary>
    [Positive]
    public TimeSpan UsageFlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a token reservation lives unless its holder (the gateway streaming the completion) renews it; the
    /// gateway renews at a third of this. When it runs out the key grain settles the reservation itself and stops the
    /// completion's provider call, so a gateway that died neither leaves tokens reserved nor a provider call running.
    /// </summary>
    [Positive]
    public TimeSpan TokenLeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a key grain with open reservations looks for expired leases.</summary>
    [Positive]
    public TimeSpan TokenLeaseCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}
