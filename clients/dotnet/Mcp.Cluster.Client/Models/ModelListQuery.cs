namespace Mcp.Cluster.Client;

/// <summary>Filters and page of <c>GET /api/models</c>; every one optional.</summary>
public sealed record ModelListQuery(string? Name = null, string? Provider = null, string? Status = null, int? Offset = null, int? Limit = null);
