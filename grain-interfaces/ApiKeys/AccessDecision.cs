namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// The key grain's answer to an <see cref="AccessRequest"/>. For every authenticated outcome it carries the
/// caller's identity and the rate-limit window so the gateway can set X-RateLimit-* headers without another call.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.AccessDecision")]
public sealed record AccessDecision(
    [property: Id(0)] AccessOutcome Outcome,
    [property: Id(1)] string? Owner,
    [property: Id(2)] Permissions Permissions,
    [property: Id(3)] int Limit,
    [property: Id(4)] int Remaining,
    [property: Id(5)] DateTimeOffset ResetAt,
    [property: Id(6)] DateTimeOffset? QuotaResetAt)
{
    public static readonly AccessDecision Unknown = new(AccessOutcome.UnknownKey, null, Permissions.None, 0, 0, default, null);

    public bool IsAuthenticated => Outcome is not (AccessOutcome.UnknownKey or AccessOutcome.Expired or AccessOutcome.Revoked);
}
