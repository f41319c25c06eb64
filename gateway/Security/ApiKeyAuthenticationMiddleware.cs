using System.Globalization;
using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http;

using Mcp.Cluster.Gateway.Usage;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// Authenticates, authorizes and meters every request to an endpoint carrying <see cref="ApiKeyRequirement"/> with
/// exactly one grain call (<see cref="IApiKeyGrain.AuthorizeAsync"/>). Runs before the body is bound, so an
/// unauthenticated caller gets 401 whatever it sent.
/// </summary>
public sealed class ApiKeyAuthenticationMiddleware(
    RequestDelegate next,
    IGrainFactory grains,
    ApiKeyHasher hasher,
    Telemetry.McpMetrics metrics,
    TimeProvider time)
{
    public const string HeaderName = "X-API-Key";

    public async Task InvokeAsync(HttpContext context)
    {
        var requirement = context.GetEndpoint()?.Metadata.GetMetadata<ApiKeyRequirement>();
        if (requirement is null)
        {
            await next(context);
            return;
        }

        var presented = ReadPresentedKey(context.Request, requirement.Browser);
        if (presented is null)
        {
            if (requirement.AllowAnonymous)
            {
                await next(context);
                return;
            }
            await Unauthorized(context, "Missing API key. Send it in the X-API-Key header or as 'Authorization: Bearer <key>'.");
            return;
        }
        if (!ApiKeyFormat.TryGetKeyId(presented, out var keyId))
        {
            await Unauthorized(context, "Invalid API key.");
            return;
        }

        var batchSize = requirement.BatchProperty is null ? 1 : await BatchSizeAsync(context.Request, requirement.BatchProperty);
        var oversize = batchSize > requirement.MaxBatchSize;
        var cost = oversize ? 1 : batchSize;
        var presentedHash = hasher.Hash(presented);
        var decision = await grains.GetGrain<IApiKeyGrain>(keyId)
            .AuthorizeAsync(new AccessRequest(presentedHash, requirement.Permission, cost));

        switch (decision.Outcome)
        {
            case AccessOutcome.UnknownKey:
                await Unauthorized(context, "Invalid API key.");
                return;
            case AccessOutcome.Expired:
                await Unauthorized(context, "API key has expired.");
                return;
            case AccessOutcome.Revoked:
                await Unauthorized(context, "API key has been revoked.");
                return;
        }

        // The key is genuine from here on: refusals below (rate limit, quota, permission) are its traffic too.
        context.Usage().KeyId = keyId;
        var now = time.GetUtcNow();
        var headers = context.Response.Headers;
        headers["X-RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = decision.ResetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        switch (decision.Outcome)
        {
            case AccessOutcome.RateLimited:
            {
                metrics.Rejected("rate_limit");
                var retry = RetryAfterHeader.Set(context.Response, decision.ResetAt - now);
                var detail = cost > decision.Limit
                    ? $"This request costs {cost} but the key allows only {decision.Limit} per window; split it into smaller batches."
                    : $"Too many requests. Try again in {retry} seconds.";
                await ApiErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimitExceeded, detail,
                    new() { ["reset_time"] = decision.ResetAt.ToUnixTimeSeconds(), ["cost"] = cost });
                return;
            }
            case AccessOutcome.DailyQuotaExceeded or AccessOutcome.MonthlyQuotaExceeded:
            {
                metrics.Rejected("quota");
                var reset = decision.QuotaResetAt ?? now;
                var period = decision.Outcome == AccessOutcome.DailyQuotaExceeded ? "daily" : "monthly";
                RetryAfterHeader.Set(context.Response, reset - now);
                await ApiErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, ErrorCodes.QuotaExceeded,
                    $"The key's {period} request quota is used up (this request costs {cost}). It resets at {reset:O}.",
                    new() { ["quota"] = period, ["reset_time"] = reset.ToUnixTimeSeconds(), ["cost"] = cost });
                return;
            }
            case AccessOutcome.Forbidden:
                metrics.Rejected("forbidden");
                await ApiErrors.WriteAsync(context, StatusCodes.Status403Forbidden, ErrorCodes.Forbidden,
                    $"This API key lacks the '{PermissionNames.ToNames(requirement.Permission).FirstOrDefault()}' permission.",
                    new() { ["required_permission"] = PermissionNames.ToNames(requirement.Permission).FirstOrDefault() });
                return;
        }

        if (oversize)
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.BatchTooLarge,
                $"A batch may hold at most {requirement.MaxBatchSize} items; this one has {batchSize}.",
                new() { ["max_batch_size"] = requirement.MaxBatchSize, ["batch_size"] = batchSize });
            return;
        }

        context.Features.Set(new ApiKeyPrincipal(keyId, decision.Owner!, decision.Permissions) { PresentedKeyHash = presentedHash });
        await next(context);
    }

    private static string? ReadPresentedKey(HttpRequest request, bool browser)
    {
        var header = request.Headers[HeaderName];
        if (header.Count > 0 && !string.IsNullOrWhiteSpace(header[0]))
        {
            return header[0]!.Trim();
        }
        var authorization = request.Headers.Authorization;
        if (authorization.Count > 0 && authorization[0] is { } value
            && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = value["Bearer ".Length..].Trim();
            return token.Length > 0 ? token : null;
        }
        if (browser && authorization.Count > 0 && authorization[0] is { } basic
            && basic.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            // user:password with the key as the password; the user name is ignored (browsers insist on asking for one).
            try
            {
                var pair = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(basic["Basic ".Length..].Trim()));
                var colon = pair.IndexOf(':');
                var key = (colon >= 0 ? pair[(colon + 1)..] : pair).Trim();
                return key.Length > 0 ? key : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>
    /// Counts the batch before the handler runs, so a batch larger than what remains is refused whole. A body that
    /// does not parse costs 1 and is then rejected by model binding.
    /// </summary>
    private static async Task<int> BatchSizeAsync(HttpRequest request, string property)
    {
        request.EnableBuffering();
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(property, out var items)
                && items.ValueKind == JsonValueKind.Array
                ? Math.Max(1, items.GetArrayLength())
                : 1;
        }
        catch (JsonException)
        {
            return 1;
        }
        finally
        {
            request.Body.Position = 0;
        }
    }

    private Task Unauthorized(HttpContext context, string detail)
    {
        metrics.Rejected("invalid_key");
        var browser = context.GetEndpoint()?.Metadata.GetMetadata<ApiKeyRequirement>()?.Browser == true;
        context.Response.Headers.WWWAuthenticate = browser
            ? "Basic realm=\"MCP Cluster (admin API key as password)\", charset=\"UTF-8\""
            : "ApiKey header=\"X-API-Key\", Bearer";
        return ApiErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, ErrorCodes.InvalidApiKey, detail);
    }
}
