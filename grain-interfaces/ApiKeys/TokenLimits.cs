namespace Mcp.Cluster.ApiKeys;

/// <summary>Per-key token quotas: per one-minute window and per UTC day; null means unlimited.</summary>
[GenerateSerializer, Immutable, Alias("mcp.TokenLimits")]
public sealed record TokenLimits([property: Id(0)] long? PerMinute, [property: Id(1)] long? PerDay)
{
    public static TokenLimits Unlimited => new(null, null);
}
