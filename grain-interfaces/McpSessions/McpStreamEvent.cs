namespace Mcp.Cluster.McpSessions;

/// <summary>
/// One SSE event of a resumable stream: its sequence number within the stream, SSE event type, the JSON-RPC message
/// as UTF-8 JSON (null for a priming event) and the <c>retry</c> hint in milliseconds, if it carries one.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.McpStreamEvent")]
public sealed record McpStreamEvent(
    [property: Id(0)] long Sequence,
    [property: Id(1)] string? EventType,
    [property: Id(2)] byte[]? Data,
    [property: Id(3)] int? RetryMilliseconds);
