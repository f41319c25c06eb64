using Mcp.Cluster.ApiKeys;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>
/// Whether one key's limits reach beyond another's. A key that rotates a key receives its secret, so a key may only
/// rotate keys that can do no more than itself: the permissions are checked by <c>CanManage</c>, the limits here.
/// </summary>
public static class ApiKeyReach
{
    /// <returns>What of <paramref name="target"/> goes beyond <paramref name="holder"/>'s own limits, or null.</returns>
    public static string? Beyond(ApiKeyInfo target, ApiKeyInfo holder) =>
        Exceeds(target.RateLimit, holder.RateLimit) ? $"a higher rate limit ({target.RateLimit})"
        : Larger(target.Quotas.Daily, holder.Quotas.Daily) ? "a larger daily quota"
        : Larger(target.Quotas.Monthly, holder.Quotas.Monthly) ? "a larger monthly quota"
        : Larger(target.Tokens?.PerMinute, holder.Tokens?.PerMinute) ? "a larger token limit per minute"
        : Larger(target.Tokens?.PerDay, holder.Tokens?.PerDay) ? "a larger token limit per day"
        : holder.ExpiresAt is { } expires && (target.ExpiresAt is null || target.ExpiresAt > expires) ? "a later expiry"
        : null;

    /// <summary>
    /// Whether <paramref name="limit"/> lets more through than <paramref name="bound"/> at some time scale: a higher
    /// rate, or a larger burst (<c>144000/day</c> is a lower rate than <c>100/minute</c>, but lets 144,000 through at once).
    /// </summary>
    public static bool Exceeds(RateLimit limit, RateLimit bound) => limit.PerSecond > bound.PerSecond || limit.Limit > bound.Limit;

    /// <summary>Null is unlimited, so a limit is larger than another when that one is set and this one is unset or above it.</summary>
    private static bool Larger(long? limit, long? than) => than is { } bound && (limit is null || limit > bound);
}
