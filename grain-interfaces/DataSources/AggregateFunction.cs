namespace Mcp.Cluster.DataSources;

/// <summary>Stored in queries that are persisted (examples, query tests), so members are only ever appended.</summary>
public enum AggregateFunction
{
    Count,
    Sum,
    Avg,
    Min,
    Max,
}
