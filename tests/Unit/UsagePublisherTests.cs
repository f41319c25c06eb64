using System.Diagnostics.Metrics;
using Mcp.Cluster.Gateway.Usage;
using Mcp.Cluster.Telemetry;
using Mcp.Cluster.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Tests.Unit;

/// <summary>The request path's side of the usage pipeline: writing an event never waits, and a full buffer drops and counts.</summary>
[Trait("Tier", "Unit")]
public sealed class UsagePublisherTests
{
    private static UsagePublisher Publisher(UsageOptions options)
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        // Not started: nothing drains the buffer, as when the cluster cannot keep up.
        return new UsagePublisher(null!, Options.Create(options), new McpMetrics(meters), TimeProvider.System, NullLogger<UsagePublisher>.Instance);
    }

    private static UsageEvent Event() => new(DateTimeOffset.UtcNow, "key_a", null, null, "GET /x", "rest", 200, 1);

    [Fact]
    public void A_full_buffer_drops_new_events_and_counts_them_without_blocking()
    {
        var publisher = Publisher(new UsageOptions { BufferCapacity = 3 });
        for (var i = 0; i < 10; i++)
        {
            publisher.Publish(Event());
        }
        Assert.Equal(3, publisher.Buffered);
        Assert.Equal(7, publisher.Dropped);
        Assert.Equal(0, publisher.Published);
    }

    [Fact]
    public void Disabled_usage_emits_nothing()
    {
        var publisher = Publisher(new UsageOptions { Enabled = false });
        publisher.Publish(Event());
        Assert.Equal(0, publisher.Buffered);
        Assert.Equal(0, publisher.Dropped);
    }
}
