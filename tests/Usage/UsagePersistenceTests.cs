using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Usage;

[Trait("Tier", "Api")]
public sealed class UsagePersistenceTests
{
    [Fact]
    public async Task Usage_aggregates_are_durable_across_a_restart()
    {
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["Usage:PersistInterval"] = "00:01:00" };
        string keyId;
        await using (var first = new GatewayFactory(settings, data.Path))
        {
            (keyId, var apiKey) = await first.CreateKeyAsync(new { owner = "durable-usage", permissions = new[] { "read" } });
            using var client = first.CreateClient(apiKey);
            for (var i = 0; i < 5; i++)
            {
                using var me = await client.GetAsync("/api/keys/me");
                await me.AssertOkAsync();
            }
            using var admin = first.CreateClient(GatewayFactory.AdminKey);
            await ModelTestHelpers.EventuallyAsync(async () =>
                (await admin.GetJsonAsync($"/api/keys/{keyId}/usage")).GetProperty("traffic").GetProperty("requests").GetInt64() == 5,
                TimeSpan.FromSeconds(20), "the key's requests to be aggregated");
            // The persist interval is a minute: what survives was written when the silo deactivated the grains on shutdown.
        }

        await using var second = new GatewayFactory(settings, data.Path);
        using var reader = second.CreateClient(GatewayFactory.AdminKey);
        var traffic = (await reader.GetJsonAsync($"/api/keys/{keyId}/usage")).GetProperty("traffic");
        Assert.Equal(5, traffic.GetProperty("requests").GetInt64());
        Assert.Equal(5, traffic.GetProperty("by_route").GetProperty("GET /api/keys/me").GetInt64());
        Assert.True(traffic.GetProperty("latency_ms").GetProperty("p50").GetDouble() > 0);
    }
}
