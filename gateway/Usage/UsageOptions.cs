using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Gateway.Usage;

/// <summary>Bound from <c>Usage</c> on gateways.</summary>
public sealed class UsageOptions
{
    public const string Section = "Usage";

    /// <summary>Set false to emit no usage events (the summary and usage reports then stay empty).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a gateway collects events before publishing them, one batch per scope.</summary>
    [Positive]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Events waiting to be published; when full, new events are dropped (and counted) rather than slowing requests.</summary>
    [Positive]
    public int BufferCapacity { get; set; } = 100_000;

    /// <summary>
    /// How long a batch that failed to publish (a silo died) is sent again, once per flush, before its events are
    /// dropped and counted. Longer than the cluster takes to declare a silo dead plus Orleans' 30 s response timeout.
    /// </summary>
    [NonNegative]
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most events one flush publishes; the rest wait for the next flush.</summary>
    [Positive]
    public int MaxEventsPerFlush { get; set; } = 20_000;
}
