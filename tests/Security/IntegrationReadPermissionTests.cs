using System.Net;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 15 item 8: integrations (upstream MCP servers, with their URLs) are admin-only to read as well as to change,
/// as documented. MCP clients use the upstream's tools through /mcp and /tools, never these routes.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class IntegrationReadPermissionTests(SharedGatewayFactory gateway)
{
    [Theory]
    [InlineData("/integrations")]
    [InlineData("/integrations/anything")]
    public async Task A_read_key_cannot_list_or_read_integrations(string path)
    {
        var (_, key) = await gateway.CreateKeyAsync(new { owner = "integration-reader", permissions = new[] { "read", "write", "execute" } });
        using var reader = gateway.CreateClient(key);
        using var response = await reader.GetAsync(path);
        await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");

        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using var allowed = await admin.GetAsync(path);
        Assert.NotEqual(HttpStatusCode.Forbidden, allowed.StatusCode);
    }
}
