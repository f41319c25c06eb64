namespace Mcp.Cluster.Models.Backends;

/// <summary>One vector per input, in input order.</summary>
public sealed record EmbeddingResult(IReadOnlyList<float[]> Vectors, TokenUsage? Usage);
