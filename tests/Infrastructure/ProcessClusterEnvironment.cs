namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// The environment of silo and gateway processes that form one cluster on PostgreSQL (Cluster:Mode=Postgres): a cluster
/// id of their own, loopback only, the tests' admin key and hashing secret, quiet logs.
/// </summary>
public static class ProcessClusterEnvironment
{
    public static Dictionary<string, string> For(string connectionString, string dataDirectory, string prefix)
    {
        var clusterId = $"{prefix}-{Guid.NewGuid():N}"[..16];
        return new Dictionary<string, string>
        {
            ["MCP_Cluster__Mode"] = "Postgres",
            ["MCP_Cluster__ClusterId"] = clusterId,
            ["MCP_Cluster__ServiceId"] = clusterId,
            ["MCP_Cluster__Postgres__ConnectionString"] = connectionString,
            ["MCP_Cluster__AdvertisedAddress"] = "127.0.0.1",
            ["MCP_Cluster__DataDirectory"] = dataDirectory,
            ["MCP_ADMIN_KEY"] = GatewayFactory.AdminKey,
            ["MCP_API_KEY_HASH_SECRET"] = GatewayFactory.HashSecret,
            ["MCP_Logging__LogLevel__Default"] = "Warning",
            ["DOTNET_gcServer"] = "0",
        };
    }

    /// <summary>The silo port of an address as <c>/api/cluster/silos</c> writes it: "127.0.0.1:11111@154435909" → 11111.</summary>
    public static int SiloPort(string address) => int.Parse(address.Split('@')[0].Split(':')[^1]);
}
