namespace Mcp.Cluster.Models.Backends;

/// <summary>A piece of a streamed generation. The last chunk carries <see cref="FinishReason"/> and, when known, usage.</summary>
public sealed record TextGenerationChunk(string Text, string? FinishReason = null, TokenUsage? Usage = null);
