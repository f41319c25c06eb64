namespace Mcp.Cluster.Gateway.Completions;

/// <summary>How one completion ended (as an HTTP status, also for WebSocket completions) and the tokens it was charged.</summary>
public readonly record struct CompletionTally(int Status, long PromptTokens, long CompletionTokens);
