using System.Net;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Api;

/// <summary><c>GET /api/cluster/placement</c>: what the gateway's silo declared, for admins only.</summary>
[Trait("Tier", "Api")]
public sealed class PlacementEndpointTests
{
    [Fact]
    public async Task Admins_see_each_silos_offer_and_what_it_holds_and_others_are_refused()
    {
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["Silo:Resources:Gpu"] = "1",
            ["Silo:Resources:ModelMemory"] = "3GB",
        });
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        JsonElement silos = default;
        await ModelTestHelpers.EventuallyAsync(async () =>
            {
                silos = (await admin.GetJsonAsync("/api/cluster/placement")).GetProperty("silos");
                return silos.GetArrayLength() == 1;
            },
            Deadlines.Scaled(TimeSpan.FromSeconds(30)), "the gateway's silo declared its resources");
        var silo = silos[0];
        Assert.False(string.IsNullOrEmpty(silo.GetProperty("address").GetString()));
        Assert.Equal(1, silo.GetProperty("gpus").GetInt32());
        Assert.Equal(3_000_000_000, silo.GetProperty("model_memory_bytes").GetInt64());
        Assert.Equal(0, silo.GetProperty("reserved_bytes").GetInt64());
        Assert.Equal(0, silo.GetProperty("sessions").GetArrayLength());

        using var anonymous = gateway.CreateClient();
        await (await anonymous.GetAsync("/api/cluster/placement")).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        var (_, reader) = await gateway.CreateKeyAsync(new { owner = "reader", permissions = new[] { "read" } });
        using var notAdmin = gateway.CreateClient(reader);
        await (await notAdmin.GetAsync("/api/cluster/placement")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
