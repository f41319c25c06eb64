using Mcp.Cluster.Storage;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.McpSessions;

/// <summary>
/// A session's record, removed by a reminder once it has not been seen for the idle timeout (gateways report sessions
/// in use with <see cref="KeepAliveAsync"/>), so records of sessions that simply went away do not pile up in storage.
/// </summary>
[GrainType("mcpsession")]
public sealed class McpSessionGrain(
    [PersistentState("mcp-session", StorageNames.Default)] IPersistentState<McpSessionState> session,
    IOptions<McpSessionOptions> options,
    TimeProvider time) : Grain, IMcpSessionGrain, IRemindable
{
    private const string ExpiryReminder = "expire";

    public async Task OpenAsync(string keyId, string initializeParamsJson)
    {
        var now = time.GetUtcNow();
        session.State = new McpSessionState { KeyId = keyId, InitializeParamsJson = initializeParamsJson, CreatedAt = now, LastSeenAt = now };
        await session.WriteStateAsync();
        var every = options.Value.SessionIdleTimeout < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : options.Value.SessionIdleTimeout;
        await this.RegisterOrUpdateReminder(ExpiryReminder, every, every);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!session.RecordExists || time.GetUtcNow() - session.State.LastSeenAt > options.Value.SessionIdleTimeout)
        {
            await CloseAsync();
        }
    }

    public async Task KeepAliveAsync()
    {
        if (session.RecordExists)
        {
            session.State.LastSeenAt = time.GetUtcNow();
            await session.WriteStateAsync();
        }
    }

    public async Task<McpSessionRecord?> GetAsync()
    {
        if (!session.RecordExists)
        {
            DeactivateOnIdle();
            return null;
        }
        var now = time.GetUtcNow();
        if (now - session.State.LastSeenAt > options.Value.SessionIdleTimeout)
        {
            await CloseAsync();
            return null;
        }
        // Being continued counts as being seen; written only when it matters for the idle timeout.
        if (now - session.State.LastSeenAt > TimeSpan.FromMinutes(1))
        {
            session.State.LastSeenAt = now;
            await session.WriteStateAsync();
        }
        var s = session.State;
        return new McpSessionRecord(s.KeyId, s.InitializeParamsJson, s.CreatedAt, [.. s.Subscriptions]);
    }

    public async Task SubscribeAsync(string uri)
    {
        if (!session.RecordExists || session.State.Subscriptions.Contains(uri)
            || session.State.Subscriptions.Count >= options.Value.MaxSubscriptionsPerSession)
        {
            return;
        }
        session.State.Subscriptions.Add(uri);
        session.State.LastSeenAt = time.GetUtcNow();
        await session.WriteStateAsync();
    }

    public async Task UnsubscribeAsync(string uri)
    {
        if (session.RecordExists && session.State.Subscriptions.Remove(uri))
        {
            await session.WriteStateAsync();
        }
    }

    public async Task CloseAsync()
    {
        if (session.RecordExists)
        {
            await session.ClearStateAsync();
        }
        if (await this.GetReminder(ExpiryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
        session.State = new McpSessionState();
        DeactivateOnIdle();
    }
}
