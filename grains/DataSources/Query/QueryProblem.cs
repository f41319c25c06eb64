namespace Mcp.Cluster.DataSources.Query;

/// <summary>Why a query was refused, naming the request field at fault (answered as 400 validation_error).</summary>
public sealed record QueryProblem(string? Field, string Detail);
