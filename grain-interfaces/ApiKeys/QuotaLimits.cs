namespace Mcp.Cluster.ApiKeys;

/// <summary>Per-key request quotas per UTC calendar day and month; null means unlimited.</summary>
[GenerateSerializer, Immutable]
public sealed record QuotaLimits([property: Id(0)] long? Daily, [property: Id(1)] long? Monthly)
{
    public static readonly QuotaLimits Unlimited = new(null, null);
}
