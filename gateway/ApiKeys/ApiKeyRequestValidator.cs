using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>Checks a creation request's fields and that the caller may hand out what it asks for.</summary>
public static class ApiKeyRequestValidator
{
    private const int MaxOwnerLength = 128;
    private const int MaxDescriptionLength = 500;

    /// <returns>
    /// The draft, or the error to answer with. <paramref name="field"/> prefixes field names (for batches);
    /// <paramref name="callerKey"/> holds a non-admin caller's own limits, which a key it creates never exceeds.
    /// </returns>
    public static (ApiKeyDraft? Draft, JsonHttpResult<ApiError>? Error) Validate(
        CreateApiKeyRequest request, ApiKeyPrincipal? caller, ApiKeyInfo? callerKey, ApiKeyPolicy policy, DateTimeOffset now, string field = "")
    {
        var owner = request.Owner?.Trim();
        if (string.IsNullOrEmpty(owner))
        {
            return Invalid($"Required field '{field}owner' is missing.", field + "owner");
        }
        if (owner.Length > MaxOwnerLength || !OwnerNames.IsPrintable(owner))
        {
            return Invalid($"Field '{field}owner' must be at most {MaxOwnerLength} printable characters (no control, format or unpaired surrogate characters).", field + "owner");
        }
        if (request.Description is { } description
            && (description.Length > MaxDescriptionLength || description.Any(c => char.IsControl(c) && c is not '\n' and not '\t')))
        {
            return Invalid($"Field '{field}description' must be at most {MaxDescriptionLength} characters without control characters.", field + "description");
        }

        // A key asked for without permissions gets the configured default, within what a non-admin creator holds.
        var permissions = caller is { IsAdmin: false } ? policy.DefaultPermissions & caller.Permissions : policy.DefaultPermissions;
        if (request.Permissions is not null)
        {
            if (request.Permissions.Length == 0)
            {
                return Invalid($"Field '{field}permissions' must name at least one of read, write, execute, admin.", field + "permissions");
            }
            if (!PermissionNames.TryParse(request.Permissions, out permissions, out var unknown))
            {
                return Invalid($"Unknown permission '{unknown}' in '{field}permissions'. Use read, write, execute or admin.", field + "permissions");
            }
        }

        if (permissions == Permissions.None)
        {
            return Invalid($"Field '{field}permissions' is required here: this key holds none of the default permissions ({string.Join(", ", PermissionNames.ToNames(policy.DefaultPermissions))}).", field + "permissions");
        }

        var rateLimit = policy.DefaultRateLimit;
        if (request.RateLimit is not null && !RateLimit.TryParse(request.RateLimit, out rateLimit, out var rateError))
        {
            return Invalid($"Field '{field}rate_limit': {rateError}", field + "rate_limit");
        }
        if (request.ExpiresInDays is { } days && (days < 1 || days > policy.MaxExpiresInDays))
        {
            return Invalid($"Field '{field}expires_in_days' must be between 1 and {policy.MaxExpiresInDays}.", field + "expires_in_days");
        }
        if (request.DailyQuota is < 1)
        {
            return Invalid($"Field '{field}daily_quota' must be at least 1.", field + "daily_quota");
        }
        if (request.MonthlyQuota is < 1)
        {
            return Invalid($"Field '{field}monthly_quota' must be at least 1.", field + "monthly_quota");
        }
        if (request.TokensPerMinute is < 1)
        {
            return Invalid($"Field '{field}tokens_per_minute' must be at least 1.", field + "tokens_per_minute");
        }
        if (request.TokensPerDay is < 1)
        {
            return Invalid($"Field '{field}tokens_per_day' must be at least 1.", field + "tokens_per_day");
        }

        // Nobody may hand out more than they hold: self-service never gets admin or a raised rate limit, and a
        // non-admin key can only create keys for its own owner with a subset of its own permissions.
        if (caller is null || !caller.IsAdmin)
        {
            if (permissions.HasFlag(Permissions.Admin))
            {
                return Denied(caller is null ? "Self-service keys cannot hold the 'admin' permission." : "Only an admin key can create admin keys.");
            }
            if (ApiKeyReach.Exceeds(rateLimit!, policy.DefaultRateLimit))
            {
                return Denied($"Only an admin can set a rate limit above {policy.DefaultRateLimit} (a higher rate, or more requests in one window).");
            }
        }
        if (caller is { IsAdmin: false })
        {
            if (!string.Equals(owner, caller.Owner, StringComparison.Ordinal))
            {
                return Denied($"This key can only create keys for owner '{caller.Owner}'.");
            }
            if ((permissions & ~caller.Permissions) != 0)
            {
                return Denied("A key cannot create a key with permissions it does not hold itself.");
            }
        }

        var quotas = new QuotaLimits(request.DailyQuota, request.MonthlyQuota);
        var tokens = new TokenLimits(request.TokensPerMinute, request.TokensPerDay);
        DateTimeOffset? expiresAt = request.ExpiresInDays is { } d ? now.AddDays(d)
            : policy.DefaultExpiresInDays > 0 ? now.AddDays(policy.DefaultExpiresInDays) : null;
        if (caller is { IsAdmin: false } && callerKey is not null)
        {
            // A limited key must not mint an unlimited one: omitted limits are inherited, larger ones refused.
            if (request.RateLimit is null)
            {
                rateLimit = ApiKeyReach.Exceeds(rateLimit!, callerKey.RateLimit) ? callerKey.RateLimit : rateLimit;
            }
            else if (ApiKeyReach.Exceeds(rateLimit!, callerKey.RateLimit))
            {
                return Denied($"A key cannot create a key with a rate limit above its own ({callerKey.RateLimit}).");
            }
            var daily = Within(request.DailyQuota, callerKey.Quotas.Daily, field + "daily_quota");
            var monthly = Within(request.MonthlyQuota, callerKey.Quotas.Monthly, field + "monthly_quota");
            var perMinute = Within(request.TokensPerMinute, callerKey.Tokens?.PerMinute, field + "tokens_per_minute");
            var perDay = Within(request.TokensPerDay, callerKey.Tokens?.PerDay, field + "tokens_per_day");
            if ((daily.Denial ?? monthly.Denial ?? perMinute.Denial ?? perDay.Denial) is { } denial)
            {
                return Denied(denial);
            }
            quotas = new QuotaLimits(daily.Value, monthly.Value);
            tokens = new TokenLimits(perMinute.Value, perDay.Value);
            if (callerKey.ExpiresAt is { } callerExpires)
            {
                if (expiresAt is null || expiresAt > callerExpires)
                {
                    if (request.ExpiresInDays is not null)
                    {
                        return Denied($"A key cannot create a key that outlives it (this key expires at {callerExpires:O}).");
                    }
                    expiresAt = callerExpires;
                }
            }
        }

        var draft = new ApiKeyDraft(owner, request.Description, permissions, rateLimit!, quotas, expiresAt, tokens);
        return (draft, null);
    }

    /// <summary>The limit a created key gets under its creator's: inherited when omitted, refused when larger.</summary>
    private static (long? Value, string? Denial) Within(long? requested, long? callerLimit, string field) =>
        callerLimit is not { } limit ? (requested, null)
        : requested is null ? (limit, null)
        : requested > limit ? (null, $"Field '{field}' cannot exceed the creating key's own limit of {limit}.")
        : (requested, null);

    private static (ApiKeyDraft?, JsonHttpResult<ApiError>?) Invalid(string detail, string field) => (null, ApiErrors.Validation(detail, field));

    private static (ApiKeyDraft?, JsonHttpResult<ApiError>?) Denied(string detail) => (null, ApiErrors.Forbidden(detail));
}
