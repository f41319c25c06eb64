namespace Mcp.Cluster.Client;

/// <summary>A key as the gateway shows it (never its secret).</summary>
public sealed record ApiKeyInfo(
    string KeyId,
    string Owner,
    string? Description,
    IReadOnlyList<string> Permissions,
    string RateLimit,
    long? DailyQuota,
    long? MonthlyQuota,
    string Status,
    string KeyPrefix,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? RotatedAt,
    DateTimeOffset? LastUsedAt,
    string CreatedBy,
    long? TokensPerMinute,
    long? TokensPerDay);
