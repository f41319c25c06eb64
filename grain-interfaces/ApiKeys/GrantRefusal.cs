namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// Why a key asked for is not granted. <see cref="Item"/> is its position in the request (batches);
/// <see cref="Field"/> the field at fault, when one is (<c>expires_in_days</c>, <c>daily_quota</c>…);
/// <see cref="Limit"/> the bound it ran into, for the message.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.GrantRefusal")]
public sealed record GrantRefusal(
    [property: Id(0)] int Item,
    [property: Id(1)] GrantRefusalReason Reason,
    [property: Id(2)] string? Field = null,
    [property: Id(3)] string? Limit = null);

[GenerateSerializer, Alias("mcp.GrantRefusalReason")]
public enum GrantRefusalReason
{
    /// <summary><c>expires_in_days</c> outside 1 to the configured maximum (<see cref="GrantRefusal.Limit"/>).</summary>
    ExpiryOutOfRange,

    /// <summary>No permissions asked for and the creator holds none of the defaults.</summary>
    NoDefaultPermissions,

    /// <summary>Self-service asked for <c>admin</c>.</summary>
    SelfServiceAdmin,

    /// <summary>A non-admin key asked for <c>admin</c>.</summary>
    AdminOnlyAdmin,

    /// <summary>A rate limit above the default, asked for without admin (<see cref="GrantRefusal.Limit"/> is the default).</summary>
    RateAboveDefault,

    /// <summary>A non-admin key asked for another owner (<see cref="GrantRefusal.Limit"/> is its own).</summary>
    OtherOwner,

    PermissionsNotHeld,

    /// <summary>A rate limit above the creating key's own (<see cref="GrantRefusal.Limit"/>).</summary>
    RateAboveOwn,

    /// <summary>A quota or token limit above the creating key's own (<see cref="GrantRefusal.Limit"/>).</summary>
    LimitAboveOwn,

    /// <summary>An expiry after the creating key's own (<see cref="GrantRefusal.Limit"/>, round-trip format).</summary>
    Outlives,
}
