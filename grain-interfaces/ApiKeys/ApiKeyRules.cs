namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// The configured bounds and defaults of keys (the gateway's <c>ApiKeys</c> settings), carried with each request that
/// issues or rotates one so the grain deciding it applies them.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ApiKeyRules")]
public sealed record ApiKeyRules(
    [property: Id(0)] Permissions DefaultPermissions,
    [property: Id(1)] RateLimit DefaultRateLimit,
    [property: Id(2)] int DefaultExpiresInDays,
    [property: Id(3)] int MaxExpiresInDays,
    [property: Id(4)] TimeSpan MaxRotationGracePeriod);
