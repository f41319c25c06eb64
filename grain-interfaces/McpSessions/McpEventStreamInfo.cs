namespace Mcp.Cluster.McpSessions;

/// <summary>The session and stream a resumable SSE stream belongs to (checked against the resuming request's session).</summary>
[GenerateSerializer, Immutable, Alias("mcp.McpEventStreamInfo")]
public sealed record McpEventStreamInfo(
    [property: Id(0)] string SessionId,
    [property: Id(1)] string StreamId);
