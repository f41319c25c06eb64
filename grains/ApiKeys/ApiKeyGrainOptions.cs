namespace Mcp.Cluster.ApiKeys;

/// <summary>Bound from the <c>ApiKeys</c> section on silos.</summary>
public sealed class ApiKeyGrainOptions
{
    public const string Section = "ApiKeys";

    /// <summary>
    /// How often a key grain writes its usage counters. Counters are written on every graceful deactivation too, so
    /// only a crashed silo loses usage, and at most this much of it.
    /// </summary>
    public TimeSpan UsageFlushInterval { get; set; } = TimeSpan.FromSeconds(5);
}
