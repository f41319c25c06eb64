using System.Collections.Concurrent;
using Mcp.Cluster.Changes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// The stateful MCP sessions this gateway serves and the resources each subscribed to, so that catalog changes
/// arriving on the Orleans change stream become <c>notifications/*/list_changed</c> and
/// <c>notifications/resources/updated</c> for the sessions that care. A session is recorded when it makes a request
/// and forgotten when a notification to it fails (it ended or timed out).
/// </summary>
public sealed class McpSessions(ILogger<McpSessions> logger)
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public void Touch(McpServer server)
    {
        if (server.SessionId is { } id)
        {
            _sessions.GetOrAdd(id, _ => new Session(server));
        }
    }

    public void Subscribe(McpServer server, string uri)
    {
        if (server.SessionId is { } id)
        {
            _sessions.GetOrAdd(id, _ => new Session(server)).Resources[uri] = 0;
        }
    }

    public void Unsubscribe(McpServer server, string uri)
    {
        if (server.SessionId is { } id && _sessions.TryGetValue(id, out var session))
        {
            session.Resources.TryRemove(uri, out _);
        }
    }

    public async Task NotifyAsync(CatalogChange change)
    {
        var sends = _sessions.Select(pair => NotifyAsync(pair.Key, pair.Value, change)).ToArray();
        await Task.WhenAll(sends);
    }

    private async Task NotifyAsync(string id, Session session, CatalogChange change)
    {
        try
        {
            switch (change.Kind)
            {
                case CatalogChangeKind.Models or CatalogChangeKind.Integrations:
                    await session.Server.SendNotificationAsync(NotificationMethods.ToolListChangedNotification);
                    break;
                case CatalogChangeKind.Prompts:
                    await session.Server.SendNotificationAsync(NotificationMethods.PromptListChangedNotification);
                    break;
                case CatalogChangeKind.DataSource:
                    await session.Server.SendNotificationAsync(NotificationMethods.ResourceListChangedNotification);
                    var prefix = DataResources.Scheme + change.Name;
                    foreach (var uri in session.Resources.Keys.Where(u => u == prefix || u.StartsWith(prefix + "/", StringComparison.Ordinal)))
                    {
                        await session.Server.SendNotificationAsync(NotificationMethods.ResourceUpdatedNotification,
                            new ResourceUpdatedNotificationParams { Uri = uri });
                    }
                    break;
            }
        }
        catch (Exception e)
        {
            // The session ended (deleted, timed out, or its stream closed): stop tracking it.
            _sessions.TryRemove(id, out _);
            logger.LogDebug(e, "MCP session {SessionId} no longer takes notifications", id);
        }
    }

    private sealed class Session(McpServer server)
    {
        public McpServer Server { get; } = server;

        public ConcurrentDictionary<string, byte> Resources { get; } = new(StringComparer.Ordinal);
    }
}
