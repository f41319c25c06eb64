namespace Mcp.Cluster.McpSessions;

/// <summary>
/// What a resumable SSE stream is and how much of it to keep: at most <paramref name="MaxEvents"/> events and
/// <paramref name="MaxBytes"/> bytes of event data (the oldest go first), for <paramref name="IdleRetention"/> after
/// the last event while open and <paramref name="CompletedRetention"/> once complete.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.McpEventStreamOpening")]
public sealed record McpEventStreamOpening(
    [property: Id(0)] string SessionId,
    [property: Id(1)] string StreamId,
    [property: Id(2)] bool Polling,
    [property: Id(3)] int MaxEvents,
    [property: Id(4)] long MaxBytes,
    [property: Id(5)] TimeSpan IdleRetention,
    [property: Id(6)] TimeSpan CompletedRetention);
