using System.Text;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Hosting;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Mcp.Cluster.Tests.Grains;

[Trait("Tier", "Grain")]
public sealed class SiloRestartTests
{
    private readonly ApiKeyHasher _hasher = new(Encoding.UTF8.GetBytes("silo-restart-hash-secret-0123456789abcdef"));

    private static async Task<InProcessTestCluster> StartAsync(string dataDirectory)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ApiKeys:UsageFlushInterval"] = "00:01:00",
        }).Build();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.Services.AddMcpSiloServices(configuration, new McpClusterOptions { DataDirectory = dataDirectory }));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    [Fact]
    public async Task Quota_counters_survive_a_graceful_silo_restart_even_before_the_flush_interval()
    {
        using var data = new TempDirectory();
        var (keyId, apiKey) = ApiKeyFormat.Generate();
        var request = new AccessRequest(_hasher.Hash(apiKey), Permissions.Read, 1);

        await using (var cluster = await StartAsync(data.Path))
        {
            var grain = cluster.Client.GetGrain<IApiKeyGrain>(keyId);
            await grain.CreateAsync(new NewApiKey("restart", null, Permissions.Read, new RateLimit(100, TimeSpan.FromHours(1)),
                new QuotaLimits(10, 1000), null, _hasher.Hash(apiKey), ApiKeyFormat.DisplayPrefix(apiKey), "test"));
            for (var i = 0; i < 7; i++)
            {
                Assert.Equal(AccessOutcome.Allowed, (await grain.AuthorizeAsync(request)).Outcome);
            }
            await cluster.StopAllSilosAsync();
        }

        await using var restarted = await StartAsync(data.Path);
        var again = restarted.Client.GetGrain<IApiKeyGrain>(keyId);
        var usage = await again.GetUsageAsync();
        Assert.Equal(7, usage!.RequestsToday);
        Assert.Equal(7, usage.RequestsThisMonth);
        Assert.Equal(93, usage.RateLimitRemaining);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(AccessOutcome.Allowed, (await again.AuthorizeAsync(request)).Outcome);
        }
        Assert.Equal(AccessOutcome.DailyQuotaExceeded, (await again.AuthorizeAsync(request)).Outcome);
    }
}
