using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Mcp.Cluster.McpSessions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mcp.Cluster.Gateway.McpProtocol;

#pragma warning disable MCP9006 // The SDK's resumability hook is marked legacy with the stateful transport; 2025-11-25 sessions use it.

/// <summary>
/// Replays a stream from its grain after the client's <c>Last-Event-ID</c> and follows it: each read is a long poll that
/// returns as soon as an event arrives, or empty after <see cref="Wait"/> (well inside the Orleans response timeout).
/// The replay ends when the stream completes (or is in polling mode and drained), when the client leaves, or when
/// the stream can no longer be followed exactly (expired, or events dropped to stay within its bounds); the client then
/// reconnects and gets a clear 400 instead of a silent hole.
/// </summary>
public sealed class OrleansEventStreamReader(IMcpEventStreamGrain grain, McpEventStreamInfo stream, long after, ILogger logger) : ISseEventStreamReader
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo MessageType =
        McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));

    public string SessionId => stream.SessionId;

    public string StreamId => stream.StreamId;

    public async IAsyncEnumerable<SseItem<JsonRpcMessage?>> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var position = after;
        while (true)
        {
            var batch = await ReadAsync(position, cancellationToken);
            if (batch is null)
            {
                yield break;
            }
            foreach (var e in batch.Events)
            {
                position = e.Sequence;
                var message = e.Data is null ? null : (JsonRpcMessage?)JsonSerializer.Deserialize(e.Data, MessageType);
                yield return new SseItem<JsonRpcMessage?>(message, e.EventType)
                {
                    EventId = McpEventId.Format(grain.GetPrimaryKeyString(), e.Sequence),
                    ReconnectionInterval = e.RetryMilliseconds is { } retry ? TimeSpan.FromMilliseconds(retry) : null,
                };
            }
            if (batch.Status is McpEventBatchStatus.Gone or McpEventBatchStatus.Gap)
            {
                logger.LogInformation("Replay of SSE stream {StreamId} of MCP session {SessionId} ended at event {Sequence}: the stream {Reason}",
                    StreamId, SessionId, position, batch.Status == McpEventBatchStatus.Gone ? "expired" : "dropped events past it to stay within its bounds");
                yield break;
            }
            if (batch.Status == McpEventBatchStatus.End)
            {
                yield break;
            }
        }
    }

    /// <summary>The next batch, or null when the client left or the grain cannot be reached (the replay ends; the client may retry).</summary>
    private async Task<McpEventBatch?> ReadAsync(long position, CancellationToken cancellationToken)
    {
        try
        {
            return await grain.ReadAsync(position, Wait, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Replay of SSE stream {StreamId} of MCP session {SessionId} failed at event {Sequence}", StreamId, SessionId, position);
            return null;
        }
    }
}
