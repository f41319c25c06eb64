using Mcp.Cluster.McpSessions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Mcp.Cluster.Gateway.McpProtocol;

#pragma warning disable MCP9006 // The SDK's resumability hook is marked legacy with the stateful transport; 2025-11-25 sessions use it.

/// <summary>
/// The SDK's SSE event store on Orleans: every stream's recent events live in an <see cref="IMcpEventStreamGrain"/> named
/// by a random token in its event ids, so a client that lost a stream on one gateway resumes it with
/// <c>Last-Event-ID</c> on any gateway. One grain per stream: unrelated streams never wait for each other.
/// </summary>
public sealed class OrleansEventStreamStore(IGrainFactory grains, IOptions<McpOptions> options, ILogger<OrleansEventStreamStore> logger) : ISseEventStreamStore
{
    public ValueTask<ISseEventStreamWriter> CreateStreamAsync(SseEventStreamOptions stream, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        var token = McpEventId.NewToken();
        var opening = new McpEventStreamOpening(stream.SessionId, stream.StreamId, stream.Mode == SseEventStreamMode.Polling,
            o.SseMaxEventsPerStream, o.SseMaxBytesPerStream, o.SessionIdleTimeout, o.SseCompletedStreamRetention);
        // Nothing is sent to the grain yet: the priming event that always follows opens it, in one call.
        return ValueTask.FromResult<ISseEventStreamWriter>(
            new OrleansEventStreamWriter(grains.GetGrain<IMcpEventStreamGrain>(token), token, opening, o.SseRetryInterval, logger));
    }

    public async ValueTask<ISseEventStreamReader?> GetStreamReaderAsync(string lastEventId, CancellationToken cancellationToken = default)
    {
        if (!McpEventId.TryParse(lastEventId, out var token, out var sequence))
        {
            logger.LogDebug("Refused a malformed Last-Event-ID");
            return null;
        }
        var grain = grains.GetGrain<IMcpEventStreamGrain>(token);
        var stream = await grain.DescribeAsync(sequence);
        if (stream is null)
        {
            logger.LogDebug("Last-Event-ID {EventId} names no stream that can be resumed from there (unknown, expired or beyond its bounds)", lastEventId);
            return null;
        }
        return new OrleansEventStreamReader(grain, stream, sequence, logger);
    }
}
