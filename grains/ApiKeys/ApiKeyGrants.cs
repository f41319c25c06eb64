using System.Globalization;

namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// The one place that decides what a new key holds: the defaults it gets, the bounds of the rules, and that nobody
/// hands out more than they hold. Self-service (no creator) never gets admin or a rate limit above the default; a
/// non-admin creator only creates keys for its own owner with permissions it holds, inheriting its limits when they
/// are omitted and refused when asked for larger ones. Run by the creating key's grain, or the directory for self-service.
/// </summary>
public static class ApiKeyGrants
{
    /// <param name="creator">The creating key; null for self-service.</param>
    public static ApiKeyGrant Decide(IReadOnlyList<ApiKeyGrantRequest> requests, ApiKeyInfo? creator, ApiKeyRules rules, DateTimeOffset now)
    {
        var terms = new ApiKeyTerms[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            var (granted, refusal) = Decide(requests[i], i, creator, rules, now);
            if (refusal is not null)
            {
                return ApiKeyGrant.Refused(refusal);
            }
            terms[i] = granted!;
        }
        return new ApiKeyGrant(terms, null);
    }

    private static (ApiKeyTerms? Terms, GrantRefusal? Refusal) Decide(
        ApiKeyGrantRequest request, int item, ApiKeyInfo? creator, ApiKeyRules rules, DateTimeOffset now)
    {
        (ApiKeyTerms?, GrantRefusal?) Refuse(GrantRefusalReason reason, string? field = null, string? limit = null) =>
            (null, new GrantRefusal(item, reason, field, limit));

        // A non-admin creator: its own limits bound what it hands out.
        var limited = creator is not null && !creator.Permissions.HasFlag(Permissions.Admin) ? creator : null;

        // A key asked for without permissions gets the configured default, within what a non-admin creator holds.
        var permissions = request.Permissions ?? (limited is null ? rules.DefaultPermissions : rules.DefaultPermissions & limited.Permissions);
        if (permissions == Permissions.None)
        {
            return Refuse(GrantRefusalReason.NoDefaultPermissions, "permissions");
        }
        if (request.ExpiresInDays is { } days && (days < 1 || days > rules.MaxExpiresInDays))
        {
            return Refuse(GrantRefusalReason.ExpiryOutOfRange, "expires_in_days", rules.MaxExpiresInDays.ToString(CultureInfo.InvariantCulture));
        }

        var rateLimit = request.RateLimit ?? rules.DefaultRateLimit;
        if (creator is null || limited is not null)
        {
            if (permissions.HasFlag(Permissions.Admin))
            {
                return Refuse(creator is null ? GrantRefusalReason.SelfServiceAdmin : GrantRefusalReason.AdminOnlyAdmin);
            }
            if (ApiKeyReach.Exceeds(rateLimit, rules.DefaultRateLimit))
            {
                return Refuse(GrantRefusalReason.RateAboveDefault, limit: rules.DefaultRateLimit.ToString());
            }
        }

        var quotas = request.Quotas;
        var tokens = request.Tokens;
        DateTimeOffset? expiresAt = request.ExpiresInDays is { } d ? now.AddDays(d)
            : rules.DefaultExpiresInDays > 0 ? now.AddDays(rules.DefaultExpiresInDays) : null;
        if (limited is not null)
        {
            if (!string.Equals(request.Owner, limited.Owner, StringComparison.Ordinal))
            {
                return Refuse(GrantRefusalReason.OtherOwner, limit: limited.Owner);
            }
            if ((permissions & ~limited.Permissions) != 0)
            {
                return Refuse(GrantRefusalReason.PermissionsNotHeld);
            }
            // A limited key must not mint an unlimited one: omitted limits are inherited, larger ones refused.
            if (request.RateLimit is null)
            {
                rateLimit = ApiKeyReach.Exceeds(rateLimit, limited.RateLimit) ? limited.RateLimit : rateLimit;
            }
            else if (ApiKeyReach.Exceeds(rateLimit, limited.RateLimit))
            {
                return Refuse(GrantRefusalReason.RateAboveOwn, limit: limited.RateLimit.ToString());
            }
            var daily = Within(request.Quotas.Daily, limited.Quotas.Daily, "daily_quota");
            var monthly = Within(request.Quotas.Monthly, limited.Quotas.Monthly, "monthly_quota");
            var perMinute = Within(request.Tokens.PerMinute, limited.Tokens?.PerMinute, "tokens_per_minute");
            var perDay = Within(request.Tokens.PerDay, limited.Tokens?.PerDay, "tokens_per_day");
            if ((daily.Over ?? monthly.Over ?? perMinute.Over ?? perDay.Over) is { } over)
            {
                return Refuse(GrantRefusalReason.LimitAboveOwn, over.Field, over.Limit.ToString(CultureInfo.InvariantCulture));
            }
            quotas = new QuotaLimits(daily.Value, monthly.Value);
            tokens = new TokenLimits(perMinute.Value, perDay.Value);
            if (limited.ExpiresAt is { } creatorExpires && (expiresAt is null || expiresAt > creatorExpires))
            {
                if (request.ExpiresInDays is not null)
                {
                    return Refuse(GrantRefusalReason.Outlives, limit: creatorExpires.ToString("O", CultureInfo.InvariantCulture));
                }
                expiresAt = creatorExpires;
            }
        }
        return (new ApiKeyTerms(request.Owner, request.Description, permissions, rateLimit, quotas, expiresAt, tokens), null);
    }

    /// <summary>The limit a created key gets under its creator's: inherited when omitted, refused when larger.</summary>
    private static (long? Value, (string Field, long Limit)? Over) Within(long? requested, long? creatorLimit, string field) =>
        creatorLimit is not { } limit ? (requested, null)
        : requested is null ? (limit, null)
        : requested > limit ? (null, (field, limit))
        : (requested, null);
}
