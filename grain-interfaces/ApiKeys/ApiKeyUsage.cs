namespace Mcp.Cluster.ApiKeys;

/// <summary>Counters kept by the key grain: quota windows (UTC day and month), lifetime total and the current rate window.</summary>
[GenerateSerializer, Immutable, Alias("mcp.ApiKeyUsage")]
public sealed record ApiKeyUsage(
    [property: Id(0)] string KeyId,
    [property: Id(1)] DateOnly Day,
    [property: Id(2)] long RequestsToday,
    [property: Id(3)] string Month,
    [property: Id(4)] long RequestsThisMonth,
    [property: Id(5)] long TotalRequests,
    [property: Id(6)] QuotaLimits Quotas,
    [property: Id(7)] RateLimit RateLimit,
    [property: Id(8)] int RateLimitRemaining,
    [property: Id(9)] DateTimeOffset RateLimitResetAt,
    [property: Id(10)] DateTimeOffset? LastUsedAt,
    [property: Id(11)] long RejectedRequests,
    [property: Id(12)] TokenLimits? TokenLimits = null,
    [property: Id(13)] long TokensThisMinute = 0,
    [property: Id(14)] long TokensToday = 0,
    [property: Id(15)] long PromptTokens = 0,
    [property: Id(16)] long CompletionTokens = 0);
