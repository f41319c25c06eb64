using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// Writes a refused genuine key's answer in the documented shape: 429 <c>rate_limit_exceeded</c> or
/// <c>quota_exceeded</c> with Retry-After, 403 <c>forbidden</c> naming the permission, 400 <c>batch_too_large</c>.
/// Everything else (the 401 challenge included) goes to the framework's handler, which calls the scheme.
/// </summary>
public sealed class ApiKeyRefusalResultHandler(Telemetry.McpMetrics metrics, TimeProvider time) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailureReasons.OfType<ApiKeyRefusal>().FirstOrDefault() is { } refusal)
        {
            return WriteAsync(context, refusal.Access);
        }
        return _default.HandleAsync(next, context, policy, authorizeResult);
    }

    private Task WriteAsync(HttpContext context, ApiKeyAccess access)
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
