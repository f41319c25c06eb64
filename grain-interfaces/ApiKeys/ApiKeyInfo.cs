namespace Mcp.Cluster.ApiKeys;

/// <summary>The public description of a key; never contains the secret or its hash.</summary>
[GenerateSerializer, Immutable, Alias("mcp.ApiKeyInfo")]
public sealed record ApiKeyInfo(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Owner,
    [property: Id(2)] string? Description,
    [property: Id(3)] Permissions Permissions,
    [property: Id(4)] RateLimit RateLimit,
    [property: Id(5)] QuotaLimits Quotas,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset? ExpiresAt,
    [property: Id(8)] DateTimeOffset? RevokedAt,
    [property: Id(9)] DateTimeOffset? RotatedAt,
    [property: Id(10)] DateTimeOffset? LastUsedAt,
    [property: Id(11)] string KeyPrefix,
    [property: Id(12)] string CreatedBy,
    [property: Id(13)] TokenLimits? Tokens = null)
{
    public ApiKeyStatus StatusAt(DateTimeOffset now) =>
        RevokedAt is not null ? ApiKeyStatus.Revoked
        : ExpiresAt is { } expires && expires <= now ? ApiKeyStatus.Expired
        : ApiKeyStatus.Active;
}
