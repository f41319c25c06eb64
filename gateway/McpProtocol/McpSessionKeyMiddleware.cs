using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.McpSessions;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// A session belongs to the key that opened it: a request carrying an <c>Mcp-Session-Id</c> with another key is
/// answered 404, exactly like an unknown session, so a leaked session id is useless without its key. The owner of
/// each session is cached here after the first lookup in its session grain. A session the client deletes is closed in its
/// grain too.
/// </summary>
public sealed class McpSessionKeyMiddleware(RequestDelegate next, IGrainFactory grains, IMemoryCache owners, IOptions<McpOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(McpEndpoints.Path)
            && context.Request.Headers["Mcp-Session-Id"].ToString() is { Length: > 0 } sessionId
            && context.GetApiKey() is { } key)
        {
            var owner = await OwnerAsync(sessionId);
            if (owner is not null && !string.Equals(owner, key.KeyId, StringComparison.Ordinal))
            {
                await ApiErrors.WriteAsync(context, StatusCodes.Status404NotFound, ErrorCodes.NotFound, "Session not found.");
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
        }
        await next(context);
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
