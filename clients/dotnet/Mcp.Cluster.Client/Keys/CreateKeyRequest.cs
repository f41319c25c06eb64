namespace Mcp.Cluster.Client;

/// <summary>The body of <c>POST /api/keys</c>; everything but the owner is optional (and inherited from the creating key when left out).</summary>
public sealed record CreateKeyRequest
{
    public required string Owner { get; init; }

    public string? Description { get; init; }

    /// <summary>Any of <c>read</c>, <c>write</c>, <c>execute</c>, <c>admin</c>.</summary>
    public IReadOnlyList<string>? Permissions { get; init; }

    /// <summary>E.g. <c>60/minute</c>.</summary>
    public string? RateLimit { get; init; }

    public int? ExpiresInDays { get; init; }

    public long? DailyQuota { get; init; }

    public long? MonthlyQuota { get; init; }

    public long? TokensPerMinute { get; init; }

    public long? TokensPerDay { get; init; }
}
