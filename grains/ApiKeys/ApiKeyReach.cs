namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// Whether one key's limits reach beyond another's. A key that rotates a key receives its secret, and a key that
/// creates one hands it out, so neither may reach beyond what the acting key itself can do.
/// </summary>
public static class ApiKeyReach
{
    /// <returns>The first limit of <paramref name="target"/> that goes beyond <paramref name="holder"/>'s own.</returns>
    public static ReachExcess Beyond(ApiKeyInfo target, ApiKeyInfo holder) =>
        Exceeds(target.RateLimit, holder.RateLimit) ? ReachExcess.RateLimit
        : Larger(target.Quotas.Daily, holder.Quotas.Daily) ? ReachExcess.DailyQuota
        : Larger(target.Quotas.Monthly, holder.Quotas.Monthly) ? ReachExcess.MonthlyQuota
        : Larger(target.Tokens?.PerMinute, holder.Tokens?.PerMinute) ? ReachExcess.TokensPerMinute
        : Larger(target.Tokens?.PerDay, holder.Tokens?.PerDay) ? ReachExcess.TokensPerDay
        : holder.ExpiresAt is { } expires && (target.ExpiresAt is null || target.ExpiresAt > expires) ? ReachExcess.Expiry
        : ReachExcess.None;

    /// <summary>
    /// Whether <paramref name="limit"/> lets more through than <paramref name="bound"/> at some time scale: a higher
    /// rate, or a larger burst (<c>144000/day</c> is a lower rate than <c>100/minute</c>, but lets 144,000 through at once).
    /// </summary>
    public static bool Exceeds(RateLimit limit, RateLimit bound) => limit.PerSecond > bound.PerSecond || limit.Limit > bound.Limit;

    /// <summary>Null is unlimited, so a limit is larger than another when that one is set and this one is unset or above it.</summary>
    private static bool Larger(long? limit, long? than) => than is { } bound && (limit is null || limit > bound);
}
