namespace Mcp.Cluster.Client;

/// <summary>The answer to a structured query or a raw SQL statement.</summary>
public sealed record DataQueryResult : DataRowsResult;
