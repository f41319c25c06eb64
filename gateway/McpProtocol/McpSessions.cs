using System.Collections.Concurrent;
using Mcp.Cluster.Changes;
using Mcp.Cluster.McpSessions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// The stateful MCP sessions this gateway serves and the resources each subscribed to, so that catalog changes
/// arriving on the Orleans change stream become <c>notifications/*/list_changed</c> and
/// <c>notifications/resources/updated</c> for the sessions that care. A session is recorded when it makes a request
/// and forgotten when a notification to it fails (it ended or timed out).
/// </summary>
public sealed class McpSessions(IGrainFactory grains, IOptions<McpOptions> options, TimeProvider time, ILogger<McpSessions> logger)
{
    /// <summary>How often a session in use tells its grain it is alive (well within the idle timeout).</summary>
    public static readonly TimeSpan KeepAliveEvery = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    /// <summary>
    /// Records a session. A session this gateway has not seen before may have moved here from another gateway; its
    /// subscriptions are then restored from its session grain.
    /// </summary>
    public async ValueTask TouchAsync(McpServer server)
    {
        if (server.SessionId is not { } id)
        {
            return;
        }
        if (_sessions.TryGetValue(id, out var known))
        {
            known.LastSeen = time.GetUtcNow();
            return;
        }
        var session = _sessions.GetOrAdd(id, _ => new Session(server) { LastSeen = time.GetUtcNow() });
        if (await grains.GetGrain<IMcpSessionGrain>(id).GetAsync() is { } record)
        {
            foreach (var uri in record.Subscriptions)
            {
                session.Resources[uri] = 0;
            }
        }
    }

    /// <summary>Adds a subscription; false when the session already holds <see cref="McpOptions.MaxSubscriptionsPerSession"/>.</summary>
    public async ValueTask<bool> SubscribeAsync(McpServer server, string uri)
    {
        if (server.SessionId is not { } id)
        {
            return true;
        }
        await TouchAsync(server);
        var session = _sessions.GetOrAdd(id, _ => new Session(server) { LastSeen = time.GetUtcNow() });
        if (!session.Resources.ContainsKey(uri) && session.Resources.Count >= options.Value.MaxSubscriptionsPerSession)
        {
            return false;
        }
        session.Resources[uri] = 0;
        await grains.GetGrain<IMcpSessionGrain>(id).SubscribeAsync(uri);
        return true;
    }

    public async ValueTask UnsubscribeAsync(McpServer server, string uri)
    {
        if (server.SessionId is { } id && _sessions.TryGetValue(id, out var session) && session.Resources.TryRemove(uri, out _))
        {
            await grains.GetGrain<IMcpSessionGrain>(id).UnsubscribeAsync(uri);
        }
    }

    /// <summary>
    /// Forgets sessions idle past the timeout (the SDK has dropped them) and keeps the grains of sessions in use from
    /// expiring. Run periodically.
    /// </summary>
    public async Task SweepAsync()
    {
        var now = time.GetUtcNow();
        foreach (var (id, session) in _sessions)
        {
            if (now - session.LastSeen > options.Value.SessionIdleTimeout)
            {
                _sessions.TryRemove(id, out _);
            }
            else if (session.LastSeen > session.KeptAlive && now - session.KeptAlive > KeepAliveEvery)
            {
                session.KeptAlive = now;
                try
                {
                    await grains.GetGrain<IMcpSessionGrain>(id).KeepAliveAsync();
                }
                catch (Exception e)
                {
                    logger.LogDebug(e, "Keeping MCP session {SessionId} alive failed", id);
                }
            }
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

        public DateTimeOffset LastSeen { get; set; }

        public DateTimeOffset KeptAlive { get; set; } = DateTimeOffset.MinValue;

        public ConcurrentDictionary<string, byte> Resources { get; } = new(StringComparer.Ordinal);
    }
}
