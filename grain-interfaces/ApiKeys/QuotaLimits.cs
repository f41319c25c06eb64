namespace Mcp.Cluster.ApiKeys;

/// <summary>Per-key request quotas per UTC calendar day and month; null means unlimited.</summary>
[GenerateSerializer, Immutable, Alias("mcp.QuotaLimits")]
public sealed record QuotaLimits([property: Id(0)] long? Daily, [property: Id(1)] long? Monthly)
{
    public static QuotaLimits Unlimited => new(null, null);
}
