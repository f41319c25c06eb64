using System.Text.Json;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.McpSessions;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// A session belongs to the key that opened it: a request carrying an <c>Mcp-Session-Id</c> with another key is
/// answered 404 with the JSON-RPC error the SDK gives an unknown session (code -32001, "Session not found"), exactly
/// alike, so a leaked session id is useless without its key. The owner of each session is cached here after the first
/// lookup in its session grain. A session the client deletes is closed in its grain too.
/// <para>
/// Every other request for a session that this gateway answers registers the session with <see cref="McpSessions"/>
/// as its response starts: a GET stream opened here (the session may have been opened on another gateway) carries
/// catalog notifications from its first byte, without waiting for some other request to arrive here.
/// </para>
/// </summary>
public sealed class McpSessionKeyMiddleware(RequestDelegate next, IGrainFactory grains, IMemoryCache owners, McpSessions sessions,
    IOptions<McpOptions> options, ILogger<McpSessionKeyMiddleware> logger)
{
    /// <summary>The SDK's code for an unknown session (as the TypeScript SDK answers it).</summary>
    public const int SessionNotFoundCode = -32001;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(McpEndpoints.Path)
            && context.Request.Headers["Mcp-Session-Id"].ToString() is { Length: > 0 } sessionId
            && context.GetApiKey() is { } key)
        {
            var owner = await OwnerAsync(sessionId);
            if (owner is not null && !string.Equals(owner, key.KeyId, StringComparison.Ordinal))
            {
                await WriteSessionNotFoundAsync(context);
                return;
            }
            if (HttpMethods.IsDelete(context.Request.Method))
            {
                // The client ended its session: it can no longer be continued anywhere.
                await next(context);
                if (context.Response.StatusCode < 300)
                {
                    owners.Remove("mcp-session-owner:" + sessionId);
                    await grains.GetGrain<IMcpSessionGrain>(sessionId).CloseAsync();
                }
                return;
            }
            // The SDK has resolved (or migrated) the session by the time the response starts.
            context.Response.OnStarting(() => RegisterAsync(context));
        }
        await next(context);
    }

    private async Task RegisterAsync(HttpContext context)
    {
        if (context.Features.Get<McpServer>() is not { SessionId: not null } server)
        {
            return;
        }
        try
        {
            await sessions.TouchAsync(server);
        }
        catch (Exception e)
        {
            // The stream still opens; the session's next request here tries again.
            logger.LogWarning(e, "Registering MCP session {SessionId} for notifications failed", server.SessionId);
        }
    }

    private static async Task WriteSessionNotFoundAsync(HttpContext context)
    {
        // The error answers the request it refuses: its id, when the body is a JSON-RPC request.
        var id = default(RequestId);
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.HasJsonContentType())
        {
            try
            {
                if (await context.Request.ReadFromJsonAsync<JsonRpcMessage>(McpJsonUtilities.DefaultOptions, context.RequestAborted) is JsonRpcRequest request)
                {
                    id = request.Id;
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException or IOException)
            {
                // Not a readable JSON-RPC request: the error goes without an id, as JSON-RPC has it.
            }
        }
        var error = new JsonRpcError { Id = id, Error = new JsonRpcErrorDetail { Code = SessionNotFoundCode, Message = "Session not found" } };
        await Results.Json(error, McpJsonUtilities.DefaultOptions, statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context);
    }

    private async ValueTask<string?> OwnerAsync(string sessionId)
    {
        var cacheKey = "mcp-session-owner:" + sessionId;
        if (owners.TryGetValue(cacheKey, out string? owner))
        {
            return owner;
        }
        owner = (await grains.GetGrain<IMcpSessionGrain>(sessionId).GetAsync())?.KeyId;
        if (owner is not null)
        {
            owners.Set(cacheKey, owner, new MemoryCacheEntryOptions { SlidingExpiration = options.Value.SessionIdleTimeout });
        }
        return owner;
    }
}
