using Mcp.Cluster.ApiKeys;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>A creation request that passed validation and the caller's rights; ready to issue.</summary>
public sealed record ApiKeyDraft(string Owner, string? Description, Permissions Permissions, RateLimit RateLimit, QuotaLimits Quotas, DateTimeOffset? ExpiresAt,
    TokenLimits? Tokens = null);
