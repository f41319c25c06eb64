namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// The answer to a request for keys: the terms of every key, in request order, or the first refusal (then nothing is
/// granted). For self-service, <see cref="Claim"/> says whether the owner could be started.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ApiKeyGrant")]
public sealed record ApiKeyGrant(
    [property: Id(0)] IReadOnlyList<ApiKeyTerms> Terms,
    [property: Id(1)] GrantRefusal? Refusal,
    [property: Id(2)] OwnerClaim Claim = OwnerClaim.Claimed)
{
    public bool Granted => Refusal is null && Claim == OwnerClaim.Claimed;

    public static ApiKeyGrant Refused(GrantRefusal refusal) => new([], refusal);
}
