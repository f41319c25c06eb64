namespace Mcp.Cluster.ApiKeys;

[GenerateSerializer, Alias("mcp.AccessOutcome")]
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
