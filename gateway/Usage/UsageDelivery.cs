using Mcp.Cluster.Usage;
using Orleans.Runtime;

namespace Mcp.Cluster.Gateway.Usage;

/// <summary>One flush's stream messages and how many events they carry; <see cref="Remaining"/> is what has not got through yet.</summary>
internal sealed class UsageDelivery(int events, List<UsageSend> sends, DateTimeOffset firstAttempt)
{
    public int Events { get; } = events;

    public DateTimeOffset FirstAttempt { get; } = firstAttempt;

    public List<UsageSend> Remaining { get; set; } = sends;
}

/// <summary>One batch for one usage stream.</summary>
internal sealed record UsageSend(StreamId Stream, UsageBatch Batch);
