using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.McpSessions;

public sealed class McpSessionOptions
{
    public const string Section = "Mcp";

    /// <summary>A session not seen for this long can no longer be continued on another gateway.</summary>
    [Positive]
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Resource subscriptions one session may hold.</summary>
    [Positive]
    public int MaxSubscriptionsPerSession { get; set; } = 1000;
}
