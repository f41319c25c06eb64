using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Mcp.Cluster.ApiKeys;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>Body of <c>POST /api/keys</c>. Unknown fields are refused so a misspelt field is never silently ignored.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateApiKeyRequest
{
    /// <summary>Who the key belongs to (a user, team or service). Non-admin callers can only create keys for their own owner.</summary>
    [Required]
    public string? Owner { get; init; }

    public string? Description { get; init; }

    /// <summary>Any of read, write, execute, admin. Defaults to read.</summary>
    public string[]? Permissions { get; init; }

    /// <summary>Requests per window, e.g. "100/minute" (units: second, minute, hour, day). Defaults to 100/minute.</summary>
    public string? RateLimit { get; init; }

    /// <summary>Days until the key expires; omitted means it does not expire.</summary>
    public int? ExpiresInDays { get; init; }

    /// <summary>Requests allowed per UTC day; omitted means unlimited.</summary>
    public long? DailyQuota { get; init; }

    /// <summary>Requests allowed per UTC calendar month; omitted means unlimited.</summary>
    public long? MonthlyQuota { get; init; }

    /// <summary>Completion tokens (prompt plus output) allowed per one-minute window; omitted means unlimited.</summary>
    public long? TokensPerMinute { get; init; }

    /// <summary>Completion tokens allowed per UTC day; omitted means unlimited.</summary>
    public long? TokensPerDay { get; init; }
}

/// <summary>Body of <c>POST /api/keys/batch</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateApiKeyBatchRequest
{
    [Required]
    public CreateApiKeyRequest[]? Keys { get; init; }
}

public sealed record IssuedApiKeyBatchResponse(IReadOnlyList<IssuedApiKeyResponse> Keys);

/// <summary>Body of <c>POST /api/keys/{key_id}/rotate</c> (optional).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RotateApiKeyRequest
{
    /// <summary>How long the previous secret keeps working, so clients can be updated without downtime. Default 0.</summary>
    public int? GracePeriodSeconds { get; init; }
}

/// <summary>A key as the API shows it. The secret is never part of it.</summary>
public sealed record ApiKeyResponse(
    string KeyId,
    string Owner,
    string? Description,
    string[] Permissions,
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
    long? TokensPerDay)
{
    public static ApiKeyResponse From(ApiKeyInfo key, DateTimeOffset now) => new(
        key.KeyId, key.Owner, key.Description, PermissionNames.ToNames(key.Permissions), key.RateLimit.ToString(),
        key.Quotas.Daily, key.Quotas.Monthly, key.StatusAt(now).ToString().ToLowerInvariant(), key.KeyPrefix,
        key.CreatedAt, key.ExpiresAt, key.RevokedAt, key.RotatedAt, key.LastUsedAt, key.CreatedBy,
        key.Tokens?.PerMinute, key.Tokens?.PerDay);
}

/// <summary>Answer to creation and rotation: the only time <see cref="ApiKey"/> is ever shown.</summary>
public sealed record IssuedApiKeyResponse(
    string KeyId,
    string ApiKey,
    string Owner,
    string? Description,
    string[] Permissions,
    string RateLimit,
    long? DailyQuota,
    long? MonthlyQuota,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? PreviousKeyValidUntil,
    long? TokensPerMinute,
    long? TokensPerDay)
{
    public static IssuedApiKeyResponse From(ApiKeyInfo key, string apiKey, DateTimeOffset? previousValidUntil = null) => new(
        key.KeyId, apiKey, key.Owner, key.Description, PermissionNames.ToNames(key.Permissions), key.RateLimit.ToString(),
        key.Quotas.Daily, key.Quotas.Monthly, key.CreatedAt, key.ExpiresAt, previousValidUntil,
        key.Tokens?.PerMinute, key.Tokens?.PerDay);
}

public sealed record ApiKeyListResponse(IReadOnlyList<ApiKeyResponse> Items, int Total, int Offset, int Limit);

public sealed record RateLimitWindowResponse(int Limit, int Remaining, DateTimeOffset Reset, string Window);

public sealed record ApiKeyUsageResponse(
    string KeyId,
    DateOnly Day,
    long RequestsToday,
    long? DailyQuota,
    long? DailyRemaining,
    string Month,
    long RequestsThisMonth,
    long? MonthlyQuota,
    long? MonthlyRemaining,
    long TotalRequests,
    long RejectedRequests,
    RateLimitWindowResponse RateLimit,
    DateTimeOffset? LastUsedAt,
    TokenUsageResponse Tokens,
    Usage.UsageReportResponse? Traffic = null)
{
    public static ApiKeyUsageResponse From(ApiKeyUsage u) => new(
        u.KeyId, u.Day, u.RequestsToday, u.Quotas.Daily, u.Quotas.Daily is { } d ? Math.Max(0, d - u.RequestsToday) : null,
        u.Month, u.RequestsThisMonth, u.Quotas.Monthly, u.Quotas.Monthly is { } m ? Math.Max(0, m - u.RequestsThisMonth) : null,
        u.TotalRequests, u.RejectedRequests,
        new RateLimitWindowResponse(u.RateLimit.Limit, u.RateLimitRemaining, u.RateLimitResetAt, u.RateLimit.ToString()),
        u.LastUsedAt,
        new TokenUsageResponse(u.TokensThisMinute, u.TokenLimits?.PerMinute, u.TokensToday, u.TokenLimits?.PerDay, u.PromptTokens, u.CompletionTokens));
}

/// <summary>Token use of a key: the current minute and UTC day (settled plus reserved) and lifetime totals.</summary>
public sealed record TokenUsageResponse(long ThisMinute, long? PerMinute, long Today, long? PerDay, long PromptTokens, long CompletionTokens);
