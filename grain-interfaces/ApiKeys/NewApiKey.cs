namespace Mcp.Cluster.ApiKeys;

/// <summary>Everything needed to create a key. Only the keyed hash of the secret crosses into the cluster.</summary>
[GenerateSerializer, Immutable, Alias("mcp.NewApiKey")]
public sealed record NewApiKey(
    [property: Id(0)] string Owner,
    [property: Id(1)] string? Description,
    [property: Id(2)] Permissions Permissions,
    [property: Id(3)] RateLimit RateLimit,
    [property: Id(4)] QuotaLimits Quotas,
    [property: Id(5)] DateTimeOffset? ExpiresAt,
    [property: Id(6)] byte[] SecretHash,
    [property: Id(7)] string KeyPrefix,
    [property: Id(8)] string CreatedBy,
    [property: Id(9)] TokenLimits? Tokens = null);
