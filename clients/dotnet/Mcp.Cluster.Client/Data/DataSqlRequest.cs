namespace Mcp.Cluster.Client;

/// <summary>The body of <c>POST /api/data/sql</c>; without a source the gateway finds the one that has the table.</summary>
public sealed record DataSqlRequest(string Sql, string? Source, int? MaxRows, string? Model);
