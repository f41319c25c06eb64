using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// Writes the key grain's refusal of a request in the documented shape: 401 <c>invalid_api_key</c> with its challenge,
/// 429 <c>rate_limit_exceeded</c> or <c>quota_exceeded</c> with Retry-After, 403 <c>forbidden</c> naming the
/// permission, 400 <c>batch_too_large</c>. One writer for the authorization middleware and for endpoints that
/// authorize later (<see cref="ReservesTokens"/>), so both answer alike.
/// </summary>
public sealed class ApiKeyRefusalWriter(Telemetry.McpMetrics metrics, TimeProvider time, OAuthChallenges challenges)
{
    public Task WriteUnauthorizedAsync(HttpContext context, string detail, bool browser)
    {
        metrics.Rejected("invalid_key");
        var required = context.GetEndpoint()?.Metadata.GetMetadata<ApiKeyRequirement>()?.Permission ?? Permissions.None;
        context.Response.Headers.WWWAuthenticate = browser
            ? "Basic realm=\"MCP Cluster (admin API key as password)\", charset=\"UTF-8\""
            : challenges.Unauthorized(context, required, detail);
        return ApiErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, ErrorCodes.InvalidApiKey, detail);
    }

    /// <summary>Why an answer does not authenticate the key (the 401's detail), or null for a genuine key.</summary>
    public static string? Unauthenticated(AccessOutcome outcome) => outcome switch
    {
        AccessOutcome.UnknownKey => InvalidKey,
        AccessOutcome.Expired => "API key has expired.",
        AccessOutcome.Revoked => "API key has been revoked.",
        _ => null,
    };

    public const string InvalidKey = "Invalid API key.";

    /// <summary>The status <see cref="WriteAsync"/> answers <paramref name="access"/> with.</summary>
    public static int StatusOf(ApiKeyAccess access) => access.Decision.Outcome switch
    {
        AccessOutcome.RateLimited or AccessOutcome.DailyQuotaExceeded or AccessOutcome.MonthlyQuotaExceeded => StatusCodes.Status429TooManyRequests,
        AccessOutcome.Forbidden => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status400BadRequest,
    };

    public Task WriteAsync(HttpContext context, ApiKeyAccess access)
    {
        var decision = access.Decision;
        var cost = access.Cost;
        var now = time.GetUtcNow();
        switch (decision.Outcome)
        {
            case AccessOutcome.RateLimited:
            {
                metrics.Rejected("rate_limit");
                var retry = RetryAfterHeader.Set(context.Response, decision.ResetAt - now);
                var detail = cost > decision.Limit
                    ? $"This request costs {cost} but the key allows only {decision.Limit} per window; split it into smaller batches."
                    : $"Too many requests. Try again in {retry} seconds.";
                return ApiErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimitExceeded, detail,
                    new() { ["reset_time"] = decision.ResetAt.ToUnixTimeSeconds(), ["cost"] = cost });
            }
            case AccessOutcome.DailyQuotaExceeded or AccessOutcome.MonthlyQuotaExceeded:
            {
                metrics.Rejected("quota");
                var reset = decision.QuotaResetAt ?? now;
                var period = decision.Outcome == AccessOutcome.DailyQuotaExceeded ? "daily" : "monthly";
                RetryAfterHeader.Set(context.Response, reset - now);
                return ApiErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, ErrorCodes.QuotaExceeded,
                    $"The key's {period} request quota is used up (this request costs {cost}). It resets at {reset:O}.",
                    new() { ["quota"] = period, ["reset_time"] = reset.ToUnixTimeSeconds(), ["cost"] = cost });
            }
            case AccessOutcome.Forbidden:
            {
                metrics.Rejected("forbidden");
                var permission = PermissionNames.ToNames(access.Requirement.Permission).FirstOrDefault();
                if (challenges.InsufficientScope(context, access.Requirement.Permission) is { } stepUp)
                {
                    context.Response.Headers.WWWAuthenticate = stepUp;
                }
                return ApiErrors.WriteAsync(context, StatusCodes.Status403Forbidden, ErrorCodes.Forbidden,
                    $"This API key lacks the '{permission}' permission.", new() { ["required_permission"] = permission });
            }
            default:
                var max = access.Requirement.MaxBatchSize;
                return ApiErrors.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.BatchTooLarge,
                    $"A batch may hold at most {max} items; this one has {access.BatchSize}.",
                    new() { ["max_batch_size"] = max, ["batch_size"] = access.BatchSize });
        }
    }
}
