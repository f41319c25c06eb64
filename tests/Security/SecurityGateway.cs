using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>Shared steps of the security tests: a plain read/write/execute key, as a stranger would get one.</summary>
public static class SecurityGateway
{
    public static async Task<HttpClient> NonAdminClientAsync(this GatewayFactory gateway, string ownerPrefix)
    {
        var (_, key) = await gateway.CreateKeyAsync(new { owner = $"{ownerPrefix}-{Guid.NewGuid():N}"[..24], permissions = new[] { "read", "write", "execute" } });
        return gateway.CreateClient(key);
    }

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    public static async Task<JsonElement> PatchJsonAsync(this HttpClient client, string url, object body, System.Net.HttpStatusCode expected)
    {
        using var response = await client.PatchAsJsonAsync(url, body);
        return await response.AssertOkAsync(expected);
    }
}
