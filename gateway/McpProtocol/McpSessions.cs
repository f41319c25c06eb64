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
/// <c>notifications/resources/updated</c> for the sessions that care. A session is recorded when a request for it
/// (its GET stream included) is answered here, and forgotten when a notification to it fails (it ended or timed out).
/// </summary>
public sealed class McpSessions(IGrainFactory grains, IOptions<McpOptions> options, TimeProvider time, ILogger<McpSessions> logger)
{
    /// <summary>How often a session in use tells its grain it is alive (well within the idle timeout).</summary>
    public static readonly TimeSpan KeepAliveEvery = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    /// <summary>
    /// Records a session (any request for it answered here, and the opening of its GET stream, call this). A session
    /// this gateway has not seen before, or that the SDK created afresh here, may have moved from another gateway: its
    /// subscriptions are then restored from its session grain before this returns, so a stream opened here carries
    /// them from its first byte.
    /// </summary>
    public async ValueTask TouchAsync(McpServer server)
    {
        if (server.SessionId is not { } id)
        {
            return;
        }
        var now = time.GetUtcNow();
        var session = _sessions.AddOrUpdate(id,
            _ => new Session(server),
            (_, known) => ReferenceEquals(known.Server, server) ? known : known.MovedTo(server));
        session.LastSeen = now;
        await session.RestoreAsync(RestoreAsync);

        async Task RestoreAsync(Session restoring)
        {
            if (await grains.GetGrain<IMcpSessionGrain>(id).GetAsync() is { } record)
            {
                foreach (var uri in record.Subscriptions)
                {
                    restoring.Resources[uri] = 0;
                }
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
        private Task? _restore;

        public McpServer Server { get; } = server;

        public DateTimeOffset LastSeen { get; set; }

        public DateTimeOffset KeptAlive { get; set; } = DateTimeOffset.MinValue;

        public ConcurrentDictionary<string, byte> Resources { get; } = new(StringComparer.Ordinal);

        /// <summary>The same session served by a new server object here (the SDK dropped it and it came back): restored again.</summary>
        public Session MovedTo(McpServer server)
        {
            var moved = new Session(server) { LastSeen = LastSeen, KeptAlive = KeptAlive };
            foreach (var uri in Resources.Keys)
            {
                moved.Resources[uri] = 0;
            }
            return moved;
        }

        /// <summary>Runs <paramref name="restore"/> once per session object; every caller awaits it, and a failed one is tried again.</summary>
        public Task RestoreAsync(Func<Session, Task> restore)
        {
            while (true)
            {
                var current = Volatile.Read(ref _restore);
                if (current is { IsFaulted: false, IsCanceled: false })
                {
                    return current;
                }
                var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (Interlocked.CompareExchange(ref _restore, mine.Task, current) == current)
                {
                    _ = RunAsync(mine);
                    return mine.Task;
                }
            }

            async Task RunAsync(TaskCompletionSource done)
            {
                try
                {
                    await restore(this);
                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            }
        }
    }
}
