namespace Mcp.Cluster.ApiKeys;

[GenerateSerializer]
public enum ApiKeyStatus
{
    Active,
    Expired,
    Revoked,
}
