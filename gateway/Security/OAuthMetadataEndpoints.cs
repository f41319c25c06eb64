using Mcp.Cluster.Gateway.Errors;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// OAuth discovery. With an authorization server configured: the protected resource metadata (RFC 9728) at
/// <c>/.well-known/oauth-protected-resource</c> and at its path-suffixed form for the resource (<c>…/mcp</c>). Without
/// one, those and the places clients fall back to (the server as its own authorization server: its metadata and
/// <c>POST /register</c>) answer 404 saying to send an API key, which is what an MCP client then shows its user.
/// </summary>
public static class OAuthMetadataEndpoints
{
    public static IEndpointRouteBuilder MapOAuthMetadata(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(OAuthDefaults.MetadataPath, (HttpContext context, IOptions<OAuthOptions> options) => Metadata(context, options.Value, ""))
            .ExcludeFromDescription();
        routes.MapGet(OAuthDefaults.MetadataPath + "/{**path}", (HttpContext context, IOptions<OAuthOptions> options, string? path) =>
            Metadata(context, options.Value, "/" + path)).ExcludeFromDescription();
        routes.MapGet("/.well-known/oauth-authorization-server/{**path}", (HttpContext context, IOptions<OAuthOptions> options) =>
            NoAuthorizationServer(context, options.Value)).ExcludeFromDescription();
        routes.MapGet("/.well-known/openid-configuration/{**path}", (HttpContext context, IOptions<OAuthOptions> options) =>
            NoAuthorizationServer(context, options.Value)).ExcludeFromDescription();
        routes.MapPost("/register", (HttpContext context, IOptions<OAuthOptions> options) =>
            NoAuthorizationServer(context, options.Value)).ExcludeFromDescription();
        return routes;
    }

    private static Task Metadata(HttpContext context, OAuthOptions options, string path)
    {
        if (!options.Enabled)
        {
            return NoAuthorizationServer(context, options);
        }
        var resource = new Uri(options.Resource!.Trim());
        // The root document and the one for the resource's own path describe it; other paths are no resource of ours.
        if (path.Length > 0 && !path.TrimEnd('/').Equals(resource.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal))
        {
            return ApiErrors.WriteAsync(context, StatusCodes.Status404NotFound, ErrorCodes.NotFound, "No protected resource is described at this path.");
        }
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return Results.Json(new ProtectedResourceMetadata(
            options.Resource!.Trim(),
            [options.EffectiveIssuer],
            [.. options.ScopesSupported],
            ["header"],
            "MCP Cluster")).ExecuteAsync(context);
    }

    private static Task NoAuthorizationServer(HttpContext context, OAuthOptions options) =>
        ApiErrors.WriteAsync(context, StatusCodes.Status404NotFound, ErrorCodes.NotFound, options.Enabled
            ? $"This server is not an authorization server; sign in at {options.EffectiveIssuer} (see {OAuthChallenges.MetadataUrl(options)})."
            : OAuthDefaults.NotConfigured);
}
