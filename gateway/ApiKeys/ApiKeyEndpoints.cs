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
        var create = group.MapPost("/", CreateAsync).ValidateRequest<CreateApiKeyRequest, ApiKeyGrantRequest, CreateApiKeyValidator>();
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
            .ValidateRequest<CreateApiKeyBatchRequest, ApiKeyGrantRequest[], CreateApiKeyBatchValidator>()
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
        CreateApiKeyRequest request, HttpContext context, IGrainFactory grains, ApiKeyIssuer issuer, ApiKeyPolicy policy)
    {
        var asked = context.Validated<ApiKeyGrantRequest>();
        var caller = context.GetApiKey();
        // The creating key's grain decides what it may hand out; without a key, the directory decides and starts the owner.
        var grant = caller is null
            ? await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global).GrantSelfServiceAsync(asked, policy.Rules)
            : await grains.GetGrain<IApiKeyGrain>(caller.KeyId).GrantAsync([asked], policy.Rules);
        if (grant.Refusal is { } refusal)
        {
            return ApiKeyRefusals.Of(refusal, policy.Rules, batch: false);
        }
        if (grant.Claim != OwnerClaim.Claimed)
        {
            return ApiKeyRefusals.OwnerUnavailable(asked.Owner, grant.Claim);
        }
        var (key, apiKey) = await issuer.IssueAsync(grant.Terms[0], caller?.KeyId ?? "self-service");
        return TypedResults.Created($"/api/keys/{key.KeyId}", IssuedApiKeyResponse.From(key, apiKey));
    }

    private static async Task<Results<Created<IssuedApiKeyBatchResponse>, JsonHttpResult<ApiError>>> CreateBatchAsync(
        CreateApiKeyBatchRequest request, HttpContext context, IGrainFactory grains, ApiKeyIssuer issuer, ApiKeyPolicy policy)
    {
        var caller = context.GetRequiredApiKey();
        var grant = await grains.GetGrain<IApiKeyGrain>(caller.KeyId).GrantAsync(context.Validated<ApiKeyGrantRequest[]>(), policy.Rules);
        if (grant.Refusal is { } refusal)
        {
            return ApiKeyRefusals.Of(refusal, policy.Rules, batch: true);
        }
        var issued = await issuer.IssueAsync(grant.Terms, caller.KeyId);
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
        // The directory decides what the caller may see.
        var page = await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global).ListForAsync(caller.Caller, owner, skip, take);
        if (page is null)
        {
            return ApiErrors.Forbidden("Only an admin can list keys of other owners.");
        }
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
        var key = ApiKeyFormat.IsKeyId(keyId)
            ? await grains.GetGrain<IApiKeyGrain>(keyId).GetForAsync(context.GetRequiredApiKey().Caller)
            : null;
        return key is null ? ApiKeyRefusals.KeyNotFound(keyId) : TypedResults.Ok(ApiKeyResponse.From(key, time.GetUtcNow()));
    }

    /// <summary>One key-grain call: the key decides whether the caller may revoke it and answers with the revoked key.</summary>
    private static async Task<Results<Ok<ApiKeyResponse>, JsonHttpResult<ApiError>>> RevokeAsync(
        [FromRoute(Name = "key_id")] string keyId, HttpContext context, IGrainFactory grains, TimeProvider time)
    {
        var revoked = ApiKeyFormat.IsKeyId(keyId)
            ? await grains.GetGrain<IApiKeyGrain>(keyId).RevokeForAsync(context.GetRequiredApiKey().Caller)
            : null;
        return revoked is null ? ApiKeyRefusals.KeyNotFound(keyId) : TypedResults.Ok(ApiKeyResponse.From(revoked, time.GetUtcNow()));
    }

    private static async Task<Results<Ok<IssuedApiKeyResponse>, JsonHttpResult<ApiError>>> RotateAsync(
        [FromRoute(Name = "key_id")] string keyId, [FromBody] RotateApiKeyRequest? request, HttpContext context,
        ApiKeyIssuer issuer, ApiKeyPolicy policy)
    {
        if (!ApiKeyFormat.IsKeyId(keyId))
        {
            return ApiKeyRefusals.KeyNotFound(keyId);
        }
        var grace = TimeSpan.FromSeconds(request?.GracePeriodSeconds ?? 0);
        var (rotation, apiKey) = await issuer.RotateAsync(keyId, context.GetRequiredApiKey().Caller, grace, policy.Rules);
        if (rotation.Outcome != RotationOutcome.Rotated)
        {
            return ApiKeyRefusals.Of(rotation, keyId, policy.Rules);
        }
        var previousValidUntil = grace > TimeSpan.Zero ? rotation.Key!.RotatedAt + grace : null;
        return TypedResults.Ok(IssuedApiKeyResponse.From(rotation.Key!, apiKey!, previousValidUntil));
    }

    private static async Task<Results<Ok<ApiKeyUsageResponse>, JsonHttpResult<ApiError>>> GetUsageAsync(
        [FromRoute(Name = "key_id")] string keyId, HttpContext context, IGrainFactory grains, UsageReader reader, [FromQuery] int? days)
    {
        var period = days ?? 1;
        if (UsageEndpoints.CheckDays(period) is { } invalid)
        {
            return invalid;
        }
        if (await UsageVisibleToCallerAsync(keyId, context, grains) is not { } usage)
        {
            return ApiKeyRefusals.KeyNotFound(keyId);
        }
        // Quota counters come from the key grain (exact, enforced); traffic from the usage grains (a few seconds behind).
        var traffic = await reader.ReadAsync(Mcp.Cluster.Usage.UsageScopeKind.Key, keyId, period);
        return TypedResults.Ok(ApiKeyUsageResponse.From(usage) with { Traffic = UsageReportResponse.Of(traffic, reader.Today, period) });
    }

    /// <summary>
    /// A key's usage counters if the caller may read them (the key grain decides: the key itself or a key it created,
    /// any for an admin);
    /// null when it may not or the key does not exist, answered alike (<see cref="ApiKeyRefusals.KeyNotFound"/>).
    /// Shared by the usage timeline, which must answer exactly the callers this endpoint answers.
    /// </summary>
    internal static async Task<ApiKeyUsage?> UsageVisibleToCallerAsync(string keyId, HttpContext context, IGrainFactory grains) =>
        ApiKeyFormat.IsKeyId(keyId)
            ? await grains.GetGrain<IApiKeyGrain>(keyId).GetUsageForAsync(context.GetRequiredApiKey().Caller)
            : null;
}
