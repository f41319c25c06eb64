using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.OpenApi;

namespace Mcp.Cluster.Gateway.AdminConsole;

/// <summary>
/// The admin console at /console: static files only. Everything it shows comes from the public API, called by the
/// browser with the key the operator signs in with (kept in the tab's sessionStorage and sent as X-API-Key), so it
/// has exactly that key's permissions and no way around them.
/// </summary>
public static class ConsoleEndpoints
{
    public const string Path = "/console";

    /// <summary>
    /// Only the gateway's own files, no inline script or style, no framing, no form posts elsewhere: a script that
    /// got into a page could still not send the key it finds in sessionStorage anywhere but this gateway.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IServiceCollection AddAdminConsole(this IServiceCollection services) => services.AddSingleton<ConsoleAssets>();

    public static IEndpointRouteBuilder MapAdminConsole(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Path + "/{**path}", Serve).ExcludeFromDescription();
        return routes;
    }

    private static IResult Serve(HttpContext context, ConsoleAssets assets, string? path)
    {
        if (string.IsNullOrEmpty(path) && !context.Request.Path.Value!.EndsWith('/'))
        {
            // Routing matches /console as well as /console/, but the page's relative links resolve only under the latter.
            return TypedResults.Redirect(Path + "/");
        }
        var asset = assets.Find(string.IsNullOrEmpty(path) ? "index.html" : path);
        if (asset is null)
        {
            return ApiErrors.NotFound($"The console has no file '{path}'.");
        }
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // Revalidated on every load (answered 304 by entity tag): a new gateway build never runs with old scripts.
        headers.CacheControl = "no-cache";
        return asset.ToResult(context);
    }
}
