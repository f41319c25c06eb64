namespace Mcp.Cluster.Models.Backends;

public sealed record TextGenerationResult(string Text, string? FinishReason, TokenUsage? Usage);
