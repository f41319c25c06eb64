namespace Mcp.Cluster.Gateway.Security;

public static class ApiKeyAuthenticationDefaults
{
    /// <summary>The authentication scheme that checks, authorizes and meters a key with one key-grain call.</summary>
    public const string Scheme = "ApiKey";

    public const string HeaderName = "X-API-Key";
}
