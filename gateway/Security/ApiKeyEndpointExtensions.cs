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

    public static ApiKeyPrincipal? GetApiKey(this HttpContext context) => context.Features.Get<ApiKeyPrincipal>();

    public static ApiKeyPrincipal GetRequiredApiKey(this HttpContext context) =>
        context.Features.Get<ApiKeyPrincipal>() ?? throw new InvalidOperationException("Endpoint has no ApiKeyRequirement.");
}
