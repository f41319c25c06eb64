namespace Mcp.Cluster.ApiKeys;

[GenerateSerializer]
public enum AccessOutcome
{
    Allowed,
    UnknownKey,
    Expired,
    Revoked,
    Forbidden,
    RateLimited,
    DailyQuotaExceeded,
    MonthlyQuotaExceeded,
}
