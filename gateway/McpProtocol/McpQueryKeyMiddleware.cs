using Mcp.Cluster.Gateway.Security;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// For MCP clients that cannot send headers (some browser-based tools, test harnesses such as the MCP conformance
/// suite): with <c>Mcp:AllowKeyInQuery</c> on, <c>/mcp?api_key=…</c> is read as if the key were in <c>X-API-Key</c>.
/// Off by default: a key in a URL can end up in proxy and browser logs.
/// </summary>
public sealed class McpQueryKeyMiddleware(RequestDelegate next, IOptions<McpOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (options.Value.AllowKeyInQuery
            && context.Request.Path.StartsWithSegments(McpEndpoints.Path)
            && !context.Request.Headers.ContainsKey(ApiKeyAuthenticationDefaults.HeaderName)
            && context.Request.Headers.Authorization.Count == 0
            && context.Request.Query["api_key"].ToString() is { Length: > 0 } key)
        {
            context.Request.Headers[ApiKeyAuthenticationDefaults.HeaderName] = key;
        }
        return next(context);
    }
}
