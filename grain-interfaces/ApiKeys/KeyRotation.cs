namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// The answer to a rotation: the rotated key, or why not. When <see cref="Outcome"/> is
/// <see cref="RotationOutcome.BeyondCaller"/>, <see cref="Excess"/> says which of the key's limits goes beyond the
/// caller's own and <see cref="Key"/> is the key (for the message).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.KeyRotation")]
public sealed record KeyRotation(
    [property: Id(0)] RotationOutcome Outcome,
    [property: Id(1)] ApiKeyInfo? Key = null,
    [property: Id(2)] ReachExcess Excess = ReachExcess.None);

[GenerateSerializer, Alias("mcp.RotationOutcome")]
public enum RotationOutcome
{
    Rotated,

    /// <summary>The grace period is outside 0 to the configured maximum.</summary>
    GraceOutOfRange,

    /// <summary>No such key, or one the caller may not manage (the two look alike).</summary>
    NotFound,

    Revoked,

    /// <summary>The key can do more than the calling key; rotating would hand its secret to a weaker key.</summary>
    BeyondCaller,
}

/// <summary>Which limit of one key reaches beyond another's.</summary>
[GenerateSerializer, Alias("mcp.ReachExcess")]
public enum ReachExcess
{
    None,
    RateLimit,
    DailyQuota,
    MonthlyQuota,
    TokensPerMinute,
    TokensPerDay,
    Expiry,
}
