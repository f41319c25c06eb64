namespace Mcp.Cluster.DataSources;

/// <summary>Per-key, per-source limits for one UTC day; null means unlimited.</summary>
[GenerateSerializer, Immutable, Alias("mcp.DataQuotas")]
public sealed record DataQuotas(
    [property: Id(0)] long? QueriesPerDay,
    [property: Id(1)] long? RowsPerDay)
{
    public static DataQuotas Unlimited => new(null, null);
}
