using Mcp.Cluster.ApiKeys;

namespace Mcp.Cluster.Gateway.Security;

public static class ApiKeyEndpointExtensions
{
    /// <summary>Requires an API key holding <paramref name="permission"/>; the request is metered against the key.</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder, Permissions permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiKeyRequirement(permission));

    /// <summary>
    /// Like <see cref="RequireApiKey{TBuilder}(TBuilder, Permissions)"/>, but the request costs the length of the body's
    /// <paramref name="batchProperty"/> array, and batches over <paramref name="maxBatchSize"/> are refused.
    /// </summary>
    public static TBuilder RequireApiKeyForBatch<TBuilder>(this TBuilder builder, Permissions permission, string batchProperty, int maxBatchSize)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiKeyRequirement(permission, AllowAnonymous: false, batchProperty, maxBatchSize));

    /// <summary>
    /// Like <see cref="RequireApiKey{TBuilder}(TBuilder, Permissions)"/> for a route that runs a completion: the key is
    /// authorized, metered and its tokens reserved in one key-grain call by the completion runner (<see cref="ReservesTokens"/>).
    /// </summary>
    public static TBuilder RequireApiKeyReservingTokens<TBuilder>(this TBuilder builder, Permissions permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiKeyRequirement(permission), ReservesTokens.Instance);

    /// <summary>A presented key is checked and metered, but callers without one are let through.</summary>
    public static TBuilder AllowAnonymousOrApiKey<TBuilder>(this TBuilder builder, Permissions permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiKeyRequirement(permission, AllowAnonymous: true));

    /// <summary>For pages people open in a browser (the Orleans Dashboard): the key may come as the HTTP Basic password.</summary>
    public static TBuilder RequireApiKeyForBrowser<TBuilder>(this TBuilder builder, Permissions permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiKeyRequirement(permission, Browser: true));

    /// <summary>
    /// The key the key grain allowed for this request, or null. A key on a <see cref="ReservesTokens"/> route is not
    /// one until the completion runner's call allowed it (only its form was checked), so usage is never attributed to
    /// an id a caller merely typed.
    /// </summary>
    public static ApiKeyPrincipal? GetApiKey(this HttpContext context) =>
        context.Features.Get<ApiKeyPrincipal>() is { Pending: null } key ? key : null;

    /// <summary>
    /// The request's key, for a handler to act for. On a <see cref="ReservesTokens"/> route it is still
    /// <see cref="ApiKeyPrincipal.Pending"/> until the completion runner authorizes it.
    /// </summary>
    public static ApiKeyPrincipal GetRequiredApiKey(this HttpContext context) =>
        context.Features.Get<ApiKeyPrincipal>() ?? throw new InvalidOperationException("Endpoint has no ApiKeyRequirement.");

    /// <summary>
    /// For a <see cref="ReservesTokens"/> handler about to answer without running a completion (a bad body, an unknown
    /// model): asks the key grain as every other route does before its handler (one call, metered) and writes its
    /// refusal, so such a caller is told 401, 403 or 429 first. True when the refusal was written; false when the
    /// key is allowed (or was already decided) and the handler's own answer stands.
    /// </summary>
    public static Task<bool> WriteApiKeyRefusalAsync(this HttpContext context) =>
        context.Features.Get<ApiKeyPrincipal>()?.Pending is { } pending ? pending.RefuseUnlessAllowedAsync() : Task.FromResult(false);
}
