using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

// Logging is deprecated from protocol 2026-07-28 on; 2025-11-25 clients still ask for it with logging/setLevel.
#pragma warning disable MCP9005

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Log lines our own tools send the client of a call (<c>notifications/message</c>, on the call's own stream), to
/// clients that asked for log lines with <c>logging/setLevel</c> at that level or below; a client that did not ask
/// gets none, so a tool call's answer stays a single message for it.
/// </summary>
public sealed class McpToolLog(McpServer server, string source)
{
    public async ValueTask InfoAsync(string text, CancellationToken cancellationToken)
    {
        if (server.LoggingLevel is not { } wanted || wanted > LoggingLevel.Info)
        {
            return;
        }
        await server.SendNotificationAsync(NotificationMethods.LoggingMessageNotification, new LoggingMessageNotificationParams
        {
            Level = LoggingLevel.Info, Logger = source, Data = JsonSerializer.SerializeToElement(text),
        }, cancellationToken: cancellationToken);
    }
}
