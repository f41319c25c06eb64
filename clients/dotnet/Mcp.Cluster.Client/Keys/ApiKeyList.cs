namespace Mcp.Cluster.Client;

/// <summary>A page of <c>GET /api/keys</c>: the caller and the keys it created (every key for an admin).</summary>
public sealed record ApiKeyList(IReadOnlyList<ApiKeyInfo> Items, int Total, int Offset, int Limit);
