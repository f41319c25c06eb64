namespace Mcp.Cluster.Client;

/// <summary>One model version in a listing.</summary>
public sealed record ModelSummary(string ModelId, string Name, string Version, string? Provider, string Status, string Owner, DateTimeOffset CreatedAt, string Endpoint);
