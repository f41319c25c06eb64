namespace Mcp.Cluster.Client;

/// <summary>
/// 429: the key's rate limit, a daily or monthly quota, a data source's quota or a token quota is spent
/// (<see cref="McpApiException.Error"/> says which), after the retries <c>Retry-After</c> allowed.
/// </summary>
public sealed class McpRateLimitException(McpErrorInfo info) : McpApiException(info)
{
    /// <summary>When the window or quota resets (the body's <c>reset_time</c>), when the gateway said.</summary>
    public DateTimeOffset? ResetTime { get; } = info.ResetTime;
}
