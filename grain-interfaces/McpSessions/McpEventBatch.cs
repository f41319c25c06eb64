namespace Mcp.Cluster.McpSessions;

/// <summary>Events read from a resumable stream, and whether more may follow.</summary>
[GenerateSerializer, Immutable, Alias("mcp.McpEventBatch")]
public sealed record McpEventBatch(
    [property: Id(0)] IReadOnlyList<McpStreamEvent> Events,
    [property: Id(1)] McpEventBatchStatus Status);

[GenerateSerializer, Alias("mcp.McpEventBatchStatus")]
public enum McpEventBatchStatus
{
    /// <summary>Read again for more.</summary>
    More = 0,

    /// <summary>The stream is complete (or polling) and everything has been read.</summary>
    End = 1,

    /// <summary>The stream is unknown here: it expired or was lost with its silo.</summary>
    Gone = 2,

    /// <summary>Events after the reader's position were dropped to stay within the stream's bounds.</summary>
    Gap = 3,
}
