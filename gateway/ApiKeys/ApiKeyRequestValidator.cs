using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>
/// Parses a creation request's fields into an <see cref="ApiKeyGrantRequest"/>: every field well formed, nothing
/// decided. What the key gets (defaults, bounds, and never more than its creator holds) is decided by the creating
/// key's grain (<see cref="ApiKeyGrants"/>), and its refusals are worded by <see cref="ApiKeyRefusals"/>.
/// </summary>
public static class ApiKeyRequestValidator
{
    private const int MaxOwnerLength = 128;
    private const int MaxDescriptionLength = 500;

    /// <returns>The parsed request, or the error to answer with. <paramref name="field"/> prefixes field names (for batches).</returns>
    public static (ApiKeyGrantRequest? Request, JsonHttpResult<ApiError>? Error) Parse(CreateApiKeyRequest request, string field = "")
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

        Permissions? permissions = null;
        if (request.Permissions is not null)
        {
            if (request.Permissions.Length == 0)
            {
                return Invalid($"Field '{field}permissions' must name at least one of read, write, execute, admin.", field + "permissions");
            }
            if (!PermissionNames.TryParse(request.Permissions, out var named, out var unknown))
            {
                return Invalid($"Unknown permission '{unknown}' in '{field}permissions'. Use read, write, execute or admin.", field + "permissions");
            }
            permissions = named;
        }

        RateLimit? rateLimit = null;
        if (request.RateLimit is not null && !RateLimit.TryParse(request.RateLimit, out rateLimit, out var rateError))
        {
            return Invalid($"Field '{field}rate_limit': {rateError}", field + "rate_limit");
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

        return (new ApiKeyGrantRequest(owner, request.Description, permissions, rateLimit, request.ExpiresInDays,
            new QuotaLimits(request.DailyQuota, request.MonthlyQuota), new TokenLimits(request.TokensPerMinute, request.TokensPerDay)), null);
    }

    private static (ApiKeyGrantRequest?, JsonHttpResult<ApiError>?) Invalid(string detail, string field) => (null, ApiErrors.Validation(detail, field));
}
