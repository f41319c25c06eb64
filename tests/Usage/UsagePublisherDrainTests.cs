using System.Diagnostics.Metrics;
using Mcp.Cluster.Gateway.Usage;
using Mcp.Cluster.Telemetry;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Tests.Usage;

/// <summary>The publisher against a real cluster: a backlog larger than one flush drains without waiting an interval per batch.</summary>
[Collection(ClusterCollection.Name)]
[Trait("Tier", "Grain")]
public sealed class UsagePublisherDrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_backlog_larger_than_one_flush_is_published_in_consecutive_flushes()
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        // An hour between flushes: only back-to-back flushes can publish the backlog within the test.
        var publisher = new UsagePublisher(fixture.Cluster.Client, Options.Create(new UsageOptions
        {
            FlushInterval = TimeSpan.FromHours(1),
            MaxEventsPerFlush = 10,
            BufferCapacity = 100,
        }), new McpMetrics(meters), TimeProvider.System, NullLogger<UsagePublisher>.Instance);
        var keyId = "key_drain_" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 25; i++)
        {
            publisher.Publish(new UsageEvent(now, keyId, null, null, "GET /api/keys/me", "rest", i % 5 == 0 ? 500 : 200, 2 + i));
        }

        await publisher.StartAsync(CancellationToken.None);
        try
        {
            await ModelTestHelpers.EventuallyAsync(() => Task.FromResult(publisher.Published == 25), TimeSpan.FromSeconds(20),
                "the backlog to be published");
            Assert.Equal(0, publisher.Dropped);
            var scope = UsageScope.Key(keyId, DateOnly.FromDateTime(now.UtcDateTime)).ToString();
            UsageTotals totals = new();
            await ModelTestHelpers.EventuallyAsync(async () =>
            {
                totals = await fixture.Grains.GetGrain<IUsageMetricsGrain>(scope).GetAsync();
                return totals.Requests == 25;
            }, TimeSpan.FromSeconds(20), "the key's usage grain to count the backlog");
            Assert.Equal(5, totals.ServerErrors);
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
        }
    }
}
