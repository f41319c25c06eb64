namespace Mcp.Cluster.Client;

/// <summary>Per-key daily quotas of a source.</summary>
public sealed record DataQuotas(long? QueriesPerDay, long? RowsPerDay);
