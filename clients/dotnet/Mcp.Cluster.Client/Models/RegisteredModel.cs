namespace Mcp.Cluster.Client;

/// <summary>The answer to a registration.</summary>
public sealed record RegisteredModel(string ModelId, string Name, string Version, string Status, string Endpoint);
