using System.Net.ServerSentEvents;
using System.Text.Json;
using Mcp.Cluster.McpSessions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mcp.Cluster.Gateway.McpProtocol;

#pragma warning disable MCP9006 // The SDK's resumability hook is marked legacy with the stateful transport; 2025-11-25 sessions use it.

/// <summary>
/// Records one SSE stream's events in its grain as the SDK sends them. The SDK writes a stream's events one at a time
/// and sends each to the client only after this returns, so an id the client holds is always stored. Recording never
/// fails the live stream: a failed grain call is logged and the stream goes on, resumable from its next event.
/// </summary>
public sealed class OrleansEventStreamWriter(IMcpEventStreamGrain grain, string token, McpEventStreamOpening opening, TimeSpan retryInterval,
    ILogger logger) : ISseEventStreamWriter
{
    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo MessageType =
        McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));

    private long _sequence;
    private bool _opened;
    private bool _disposed;

    public async ValueTask<SseItem<JsonRpcMessage?>> WriteEventAsync(SseItem<JsonRpcMessage?> sseItem, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (sseItem.EventId is not null)
        {
            return sseItem;
        }
        var sequence = Interlocked.Increment(ref _sequence);
        var item = sseItem with { EventId = McpEventId.Format(token, sequence) };
        if (item.Data is null && item.ReconnectionInterval is null)
        {
            // The priming event tells the client when to come back if the stream breaks.
            item = item with { ReconnectionInterval = retryInterval };
        }
        var stored = new McpStreamEvent(sequence, item.EventType,
            item.Data is null ? null : JsonSerializer.SerializeToUtf8Bytes(item.Data, MessageType),
            item.ReconnectionInterval is { } retry ? (int)retry.TotalMilliseconds : null);
        try
        {
            // Not the caller's token: a message is recorded even when the client has just gone, which is the point.
            if (!_opened)
            {
                await grain.OpenAsync(opening, stored);
                _opened = true;
            }
            else if (!await grain.AppendAsync(stored))
            {
                // The grain lost the stream (it expired while idle, or its silo went): later events stay resumable.
                await grain.OpenAsync(opening, stored);
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not record event {Sequence} of SSE stream {StreamId} of MCP session {SessionId}; it cannot be replayed",
                sequence, opening.StreamId, opening.SessionId);
        }
        return item;
    }

    public async ValueTask SetModeAsync(SseEventStreamMode mode, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            await grain.SetPollingAsync(mode == SseEventStreamMode.Polling);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not switch SSE stream {StreamId} of MCP session {SessionId} to {Mode}", opening.StreamId, opening.SessionId, mode);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!_opened)
        {
            return;
        }
        try
        {
            await grain.CompleteAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not complete SSE stream {StreamId} of MCP session {SessionId}", opening.StreamId, opening.SessionId);
        }
    }
}
