namespace Mcp.Cluster.Client;

/// <summary>A page of <c>GET /api/datasources</c>.</summary>
public sealed record DataSourceList(IReadOnlyList<DataSourceInfo> DataSources, int Total, int Offset, int Limit);
