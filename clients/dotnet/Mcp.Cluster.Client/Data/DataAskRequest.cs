namespace Mcp.Cluster.Client;

/// <summary>The body of <c>POST /api/data/ask</c>.</summary>
public sealed record DataAskRequest(string Question, string? Source, string? Model, int? Limit);
