using Mcp.Cluster.Gateway.Security;
using ModelContextProtocol;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// The API key behind an MCP request. Every POST to <c>/mcp</c> is authenticated and metered by the key middleware;
/// MCP handlers run in that request's execution context, so the key is read from the current HTTP context.
/// </summary>
public sealed class McpCallers(IHttpContextAccessor http)
{
    public ApiKeyPrincipal Current =>
        http.HttpContext?.GetApiKey() ?? throw new McpException("The request carries no authenticated API key.");
}
