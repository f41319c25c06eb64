using Mcp.Cluster.Gateway.Errors;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// DNS-rebinding protection for <c>/mcp</c>, as the MCP transport specification asks of servers: a request whose
/// Origin header names an origin that is not allowed is refused before it reaches the MCP server. A port in the
/// Origin does not matter (any localhost port is localhost).
/// </summary>
public sealed class McpOriginCheckMiddleware(RequestDelegate next, IOptions<McpOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(McpEndpoints.Path)
            && context.Request.Headers.Origin.ToString() is { Length: > 0 } origin
            && !IsAllowed(origin))
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status403Forbidden, ErrorCodes.Forbidden,
                $"Origin '{origin}' may not call the MCP endpoint (Mcp:AllowedOrigins).");
            return;
        }
        await next(context);
    }

    private bool IsAllowed(string origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri))
        {
            return false;
        }
        var withoutPort = $"{uri.Scheme}://{uri.Host}";
        return options.Value.AllowedOrigins.Any(allowed =>
            string.Equals(allowed.TrimEnd('/'), withoutPort, StringComparison.OrdinalIgnoreCase)
            || string.Equals(allowed.TrimEnd('/'), $"{withoutPort}:{uri.Port}", StringComparison.OrdinalIgnoreCase));
    }
}
