namespace Mcp.Cluster.Client;

/// <summary>A page of <c>GET /api/models</c>.</summary>
public sealed record ModelList(IReadOnlyList<ModelSummary> Models, int Total, int Offset, int Limit);
