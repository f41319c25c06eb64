using Orleans.Concurrency;

namespace Mcp.Cluster.McpSessions;

/// <summary>
/// The recent events of one resumable SSE stream of an MCP session (a POST response or the session's GET stream),
/// keyed by the stream's random token, so a client that lost the stream can resume it on any gateway with
/// <c>Last-Event-ID</c>. One writer (the gateway serving the stream) appends; any number of readers long-poll.
/// Events live in memory only and expire with the stream.
/// </summary>
[Alias("mcp.event-stream")]
public interface IMcpEventStreamGrain : IGrainWithStringKey
{
    /// <summary>Starts the stream with its first event (the priming event), in one call to keep the hot path short.</summary>
    [Alias("open")]
    Task OpenAsync(McpEventStreamOpening opening, McpStreamEvent first);

    /// <summary>False when the stream is unknown here (it expired, or was lost with its silo) or the sequence has a hole.</summary>
    [Alias("append")]
    Task<bool> AppendAsync(McpStreamEvent item);

    /// <summary>In polling mode a reader gets what is there and its response ends, so the client polls.</summary>
    [Alias("polling")]
    Task<bool> SetPollingAsync(bool polling);

    /// <summary>The writer is done: readers end once they have read everything.</summary>
    [Alias("complete")]
    Task CompleteAsync();

    /// <summary>Who owns the stream, or null when <paramref name="after"/> cannot be resumed from (unknown or expired stream, or events past it dropped).</summary>
    [AlwaysInterleave, Alias("describe")]
    Task<McpEventStreamInfo?> DescribeAsync(long after);

    /// <summary>
    /// The events after <paramref name="after"/>; when there are none yet, waits up to <paramref name="wait"/> for
    /// one (interleaved, so waiting readers never hold up the writer).
    /// </summary>
    [AlwaysInterleave, Alias("read")]
    Task<McpEventBatch> ReadAsync(long after, TimeSpan wait, CancellationToken cancellationToken = default);
}
