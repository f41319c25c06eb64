using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

using Mcp.Cluster.Gateway.Usage;

namespace Mcp.Cluster.Gateway.ApiKeys;

public static class ApiKeyEndpoints
{
    public const string SelfServiceLimiter = "api-keys-self-service";

    public static IEndpointRouteBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/keys").WithTags("API keys");

        var policy = routes.ServiceProvider.GetRequiredService<ApiKeyPolicy>();
        var create = group.MapPost("/", CreateAsync).ValidateRequest<CreateApiKeyRequest, ApiKeyDraft, CreateApiKeyValidator>();
        if (policy.AllowSelfService)
        {
            create.AllowAnonymousOrApiKey(Permissions.Write).RequireRateLimiting(SelfServiceLimiter);
        }
        else
        {
            // Then the route is like any other: anonymous callers get 401 before their body is read.
            create.RequireApiKey(Permissions.Write);
        }
        create.WithName("CreateApiKey")
            .WithSummary("Create an API key")
            .WithDescription("Returns the secret once; only its keyed hash is stored. Without a key this is self-service (when enabled): it starts a new owner and never joins one that exists or is reserved (409 owner_unavailable), the key can never hold admin and its rate limit cannot exceed the default. With a key, a non-admin creates keys only for its own owner and only with permissions it holds.");

        group.MapPost("/batch", CreateBatchAsync)
            .ValidateRequest<CreateApiKeyBatchRequest, ApiKeyDraft[], CreateApiKeyBatchValidator>()
            .RequireApiKeyForBatch(Permissions.Write, "keys", policy.MaxBatchSize)
            .WithName("CreateApiKeyBatch")
            .WithSummary("Create several API keys at once")
            .WithDescription("Costs one request per key against the caller's rate limit and quotas. All items are validated before any key is created.");

        group.MapGet("/", ListAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("ListApiKeys")
            .WithSummary("List the caller and the keys it created (all keys for an admin)");

        group.MapGet("/me", GetCurrentAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("GetCurrentApiKey")
            .WithSummary("Describe the key used for this request");

        group.MapGet("/{key_id}", GetAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("GetApiKey")
            .WithSummary("Describe a key");

        group.MapDelete("/{key_id}", RevokeAsync)
            .RequireApiKey(Permissions.Write)
            .WithName("RevokeApiKey")
            .WithSummary("Revoke a key; the next request with it fails on every gateway");

        group.MapPost("/{key_id}/rotate", RotateAsync)
            .RequireApiKey(Permissions.Write)
            .WithName("RotateApiKey")
            .WithSummary("Replace a key's secret, optionally keeping the old one valid for a grace period");

        group.MapGet("/{key_id}/usage", GetUsageAsync)
            .RequireApiKey(Permissions.Read)
            .WithName("GetApiKeyUsage")
            .WithSummary("Quota counters and the current rate-limit window of a key, and its traffic over the last ?days= (1–90, default 1) UTC days");

        return routes;
    }

    private static async Task<Results<Created<IssuedApiKeyResponse>, JsonHttpResult<ApiError>>> CreateAsync(
        CreateApiKeyRequest request, HttpContext context, ApiKeyIssuer issuer)
    {
        var draft = context.Validated<ApiKeyDraft>();
        var caller = context.GetApiKey();
        if (caller is null)
        {
            var (issued, claim) = await issuer.IssueSelfServiceAsync(draft);
            if (issued is not { } selfService)
            {
                return OwnerUnavailable(draft.Owner, claim);
            }
            return TypedResults.Created($"/api/keys/{selfService.Key.KeyId}", IssuedApiKeyResponse.From(selfService.Key, selfService.ApiKey));
        }
        var (key, apiKey) = await issuer.IssueAsync(draft, caller.KeyId);
        return TypedResults.Created($"/api/keys/{key.KeyId}", IssuedApiKeyResponse.From(key, apiKey));
    }

    private static async Task<Results<Created<IssuedApiKeyBatchResponse>, JsonHttpResult<ApiError>>> CreateBatchAsync(
        CreateApiKeyBatchRequest request, HttpContext context, ApiKeyIssuer issuer)
    {
        var issued = await issuer.IssueAsync(context.Validated<ApiKeyDraft[]>(), context.GetRequiredApiKey().KeyId);
        return TypedResults.Created("/api/keys", new IssuedApiKeyBatchResponse(issued.Select(k => IssuedApiKeyResponse.From(k.Key, k.ApiKey)).ToArray()));
    }

    private static async Task<Results<Ok<ApiKeyListResponse>, JsonHttpResult<ApiError>>> ListAsync(
        HttpContext context, IGrainFactory grains, TimeProvider time,
        [FromQuery] string? owner, [FromQuery] int? offset, [FromQuery] int? limit)
    {
        var caller = context.GetRequiredApiKey();
        var (skip, take, pagingError) = Paging.Read(offset, limit);
        if (pagingError is not null)
        {
            return pagingError;
        }
        if (!caller.IsAdmin && owner is not null && owner != caller.Owner)
        {
            return ApiErrors.Forbidden("Only an admin can list keys of other owners.");
        }
        var filter = caller.IsAdmin ? owner : caller.Owner;
        var page = caller.IsAdmin
            ? await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global).ListAsync(filter, null, null, skip, take)
            : await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global).ListAsync(filter, caller.Permissions, caller.KeyId, skip, take);
        var keys = await Task.WhenAll(page.KeyIds.Select(id => grains.GetGrain<IApiKeyGrain>(id).GetAsync()));
        var now = time.GetUtcNow();
        var items = keys.Where(k => k is not null).Select(k => ApiKeyResponse.From(k!, now)).ToArray();
        return TypedResults.Ok(new ApiKeyListResponse(items, page.Total, skip, take));
    }

    private static Task<Results<Ok<ApiKeyResponse>, JsonHttpResult<ApiError>>> GetCurrentAsync(
        HttpContext context, IGrainFactory grains, TimeProvider time) =>
        GetAsync(context.GetRequiredApiKey().KeyId, context, grains, time);

    private static async Task<Results<Ok<ApiKeyResponse>, JsonHttpResult<ApiError>>> GetAsync(
        [FromRoute(Name = "key_id")] string keyId, HttpContext context, IGrainFactory grains, TimeProvider time)
    {
        var key = await FindManageableAsync(keyId, context, grains);
        return key is null ? KeyNotFound(keyId) : TypedResults.Ok(ApiKeyResponse.From(key, time.GetUtcNow()));
    }

    private static async Task<Results<Ok<ApiKeyResponse>, JsonHttpResult<ApiError>>> RevokeAsync(
        [FromRoute(Name = "key_id")] string keyId, HttpContext context, IGrainFactory grains, TimeProvider time)
    {
        var key = await FindManageableAsync(keyId, context, grains);
        if (key is null)
        {
            return KeyNotFound(keyId);
        }
        var grain = grains.GetGrain<IApiKeyGrain>(keyId);
        await grain.RevokeAsync(context.GetRequiredApiKey().KeyId);
        var revoked = await grain.GetAsync();
        return TypedResults.Ok(ApiKeyResponse.From(revoked!, time.GetUtcNow()));
    }

    private static async Task<Results<Ok<IssuedApiKeyResponse>, JsonHttpResult<ApiError>>> RotateAsync(
        [FromRoute(Name = "key_id")] string keyId, [FromBody] RotateApiKeyRequest? request, HttpContext context,
        IGrainFactory grains, ApiKeyIssuer issuer, ApiKeyPolicy policy, TimeProvider time)
    {
        var grace = TimeSpan.FromSeconds(request?.GracePeriodSeconds ?? 0);
        if (grace < TimeSpan.Zero || grace > policy.MaxRotationGracePeriod)
        {
            return ApiErrors.Validation(
                $"Field 'grace_period_seconds' must be between 0 and {(long)policy.MaxRotationGracePeriod.TotalSeconds}.", "grace_period_seconds");
        }
        var key = await FindManageableAsync(keyId, context, grains);
        if (key is null)
        {
            return KeyNotFound(keyId);
        }
        if (key.RevokedAt is not null)
        {
            return ApiErrors.Result(StatusCodes.Status409Conflict, "key_revoked", "A revoked key cannot be rotated; create a new one.");
        }
        // Rotating hands out the new secret, so it must not hand out more than the caller holds.
        if (await LimitsOfAsync(context.GetRequiredApiKey(), grains) is { } callerKey && ApiKeyReach.Beyond(key, callerKey) is { } beyond)
        {
            return ApiErrors.Forbidden($"Key '{keyId}' has {beyond} than the calling key; only a key at least as limited as this one, or an admin, can rotate it.");
        }
        var rotated = await issuer.RotateAsync(keyId, grace);
        if (rotated is null)
        {
            return KeyNotFound(keyId);
        }
        var previousValidUntil = grace > TimeSpan.Zero ? rotated.Value.Key.RotatedAt + grace : null;
        return TypedResults.Ok(IssuedApiKeyResponse.From(rotated.Value.Key, rotated.Value.ApiKey, previousValidUntil));
    }

    private static async Task<Results<Ok<ApiKeyUsageResponse>, JsonHttpResult<ApiError>>> GetUsageAsync(
        [FromRoute(Name = "key_id")] string keyId, HttpContext context, IGrainFactory grains, UsageReader reader, [FromQuery] int? days)
    {
        var period = days ?? 1;
        if (UsageEndpoints.CheckDays(period) is { } invalid)
        {
            return invalid;
        }
        var key = await FindManageableAsync(keyId, context, grains);
        if (key is null)
        {
            return KeyNotFound(keyId);
        }
        var usage = await grains.GetGrain<IApiKeyGrain>(keyId).GetUsageAsync();
        if (usage is null)
        {
            return KeyNotFound(keyId);
        }
        // Quota counters come from the key grain (exact, enforced); traffic from the usage grains (a few seconds behind).
        var traffic = await reader.ReadAsync(Mcp.Cluster.Usage.UsageScopeKind.Key, keyId, period);
        return TypedResults.Ok(ApiKeyUsageResponse.From(usage) with { Traffic = UsageReportResponse.Of(traffic, reader.Today, period) });
    }

    /// <summary>The calling key's own limits, which keys it creates may not exceed; none for admins and self-service.</summary>
    internal static async Task<ApiKeyInfo?> LimitsOfAsync(ApiKeyPrincipal? caller, IGrainFactory grains) =>
        caller is { IsAdmin: false } ? await grains.GetGrain<IApiKeyGrain>(caller.KeyId).GetAsync() : null;

    /// <summary>
    /// A key the caller may see, or null: for a non-admin, itself and the keys it created (directly or through keys it
    /// created) of its own owner that hold no permission it lacks. Any other key looks exactly like a missing one, so
    /// ids cannot be probed and no key reaches (or rotates into) a sibling's or parent's power.
    /// </summary>
    private static async Task<ApiKeyInfo?> FindManageableAsync(string keyId, HttpContext context, IGrainFactory grains)
    {
        if (!ApiKeyFormat.IsKeyId(keyId))
        {
            return null;
        }
        var caller = context.GetRequiredApiKey();
        var key = await grains.GetGrain<IApiKeyGrain>(keyId).GetAsync();
        if (key is null || !caller.CanManage(key))
        {
            return null;
        }
        return caller.IsAdmin || keyId == caller.KeyId
            || await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global).DescendsFromAsync(keyId, caller.KeyId)
            ? key : null;
    }

    private static JsonHttpResult<ApiError> OwnerUnavailable(string owner, OwnerClaim claim) =>
        ApiErrors.Result(StatusCodes.Status409Conflict, ErrorCodes.OwnerUnavailable, claim == OwnerClaim.Reserved
            ? $"Owner '{owner}' is reserved and cannot be claimed without a key."
            : $"Owner '{owner}' already exists. Self-service only starts new owners: ask a key of '{owner}' (POST /api/keys with its X-API-Key) or an admin for another key, or pick another owner name.",
            new Dictionary<string, object?> { ["owner"] = owner });

    private static JsonHttpResult<ApiError> KeyNotFound(string keyId) =>
        ApiErrors.Result(StatusCodes.Status404NotFound, "key_not_found", $"No API key '{keyId}' visible to this caller.");
}
