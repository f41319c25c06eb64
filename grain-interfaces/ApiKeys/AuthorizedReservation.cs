namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// The key grain's one answer before a completion starts: the request's <see cref="AccessDecision"/> and, only when it
/// is <see cref="AccessOutcome.Allowed"/>, the token reservation made in the same turn.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.AuthorizedReservation")]
public sealed record AuthorizedReservation(
    [property: Id(0)] AccessDecision Access,
    [property: Id(1)] TokenReservation? Tokens);
