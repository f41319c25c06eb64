namespace Mcp.Cluster.ApiKeys;

/// <summary>What a key to be issued holds, as decided within its creator's rights; the secret is added by the gateway.</summary>
[GenerateSerializer, Immutable, Alias("mcp.ApiKeyTerms")]
public sealed record ApiKeyTerms(
    [property: Id(0)] string Owner,
    [property: Id(1)] string? Description,
    [property: Id(2)] Permissions Permissions,
    [property: Id(3)] RateLimit RateLimit,
    [property: Id(4)] QuotaLimits Quotas,
    [property: Id(5)] DateTimeOffset? ExpiresAt,
    [property: Id(6)] TokenLimits? Tokens = null);
