namespace Mcp.Cluster.ApiKeys;

[GenerateSerializer, Alias("mcp.ApiKeyStatus")]
public enum ApiKeyStatus
{
    Active,
    Expired,
    Revoked,
}
