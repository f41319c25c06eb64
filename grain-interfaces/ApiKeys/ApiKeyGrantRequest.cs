namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// One key asked for, as parsed from the body: every field well formed, nothing yet decided. Null means omitted, for
/// the deciding grain to fill in from the defaults and the creator's own limits.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ApiKeyGrantRequest")]
public sealed record ApiKeyGrantRequest(
    [property: Id(0)] string Owner,
    [property: Id(1)] string? Description,
    [property: Id(2)] Permissions? Permissions,
    [property: Id(3)] RateLimit? RateLimit,
    [property: Id(4)] int? ExpiresInDays,
    [property: Id(5)] QuotaLimits Quotas,
    [property: Id(6)] TokenLimits Tokens);
