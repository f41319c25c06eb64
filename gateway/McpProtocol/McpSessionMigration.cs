using System.Text.Json;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.McpSessions;
using ModelContextProtocol;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Lets a 2025-11-25 session continue on any gateway: its initialize parameters and owning key are kept in an
/// <see cref="IMcpSessionGrain"/>, and a gateway that does not know a session id asks that grain (the SDK's session
/// migration hook). Only the key that opened a session may continue it elsewhere.
/// </summary>
public sealed class McpSessionMigration(IGrainFactory grains, ILogger<McpSessionMigration> logger) : ISessionMigrationHandler
{
    public async ValueTask OnSessionInitializedAsync(HttpContext context, string sessionId, InitializeRequestParams initializeParams, CancellationToken cancellationToken)
    {
        var key = context.GetApiKey();
        if (key is null)
        {
            return;
        }
        var json = JsonSerializer.Serialize(initializeParams, McpJsonUtilities.DefaultOptions);
        await grains.GetGrain<IMcpSessionGrain>(sessionId).OpenAsync(key.KeyId, json);
    }

    public async ValueTask<InitializeRequestParams?> AllowSessionMigrationAsync(HttpContext context, string sessionId, CancellationToken cancellationToken)
    {
        var key = context.GetApiKey();
        var record = await grains.GetGrain<IMcpSessionGrain>(sessionId).GetAsync();
        if (record is null || key is null)
        {
            return null;
        }
        if (!string.Equals(record.KeyId, key.KeyId, StringComparison.Ordinal))
        {
            logger.LogWarning("Key {KeyId} presented MCP session {SessionId}, which belongs to another key; refused", key.KeyId, sessionId);
            return null;
        }
        logger.LogInformation("MCP session {SessionId} continues on this gateway", sessionId);
        return JsonSerializer.Deserialize<InitializeRequestParams>(record.InitializeParamsJson, McpJsonUtilities.DefaultOptions);
    }
}
