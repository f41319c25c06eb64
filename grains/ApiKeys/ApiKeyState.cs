namespace Mcp.Cluster.ApiKeys;

/// <summary>What a key grain persists. The secret itself is never here, only its keyed hash.</summary>
[GenerateSerializer, Alias("mcp.ApiKeyState")]
public sealed class ApiKeyState
{
    [Id(0)] public string Owner { get; set; } = "";
    [Id(1)] public string? Description { get; set; }
    [Id(2)] public Permissions Permissions { get; set; }
    [Id(3)] public RateLimit RateLimit { get; set; } = RateLimit.Default;
    [Id(4)] public QuotaLimits Quotas { get; set; } = QuotaLimits.Unlimited;
    [Id(5)] public DateTimeOffset CreatedAt { get; set; }
    [Id(6)] public DateTimeOffset? ExpiresAt { get; set; }
    [Id(7)] public DateTimeOffset? RevokedAt { get; set; }
    [Id(8)] public DateTimeOffset? RotatedAt { get; set; }
    [Id(9)] public byte[] SecretHash { get; set; } = [];
    [Id(10)] public byte[]? PreviousSecretHash { get; set; }
    [Id(11)] public DateTimeOffset? PreviousSecretValidUntil { get; set; }
    [Id(12)] public string KeyPrefix { get; set; } = "";
    [Id(13)] public string CreatedBy { get; set; } = "";
    [Id(14)] public UsageCounters Usage { get; set; } = new();
    [Id(15)] public TokenLimits Tokens { get; set; } = TokenLimits.Unlimited;
    [Id(16)] public TokenCounters TokenUsage { get; set; } = new();
}
