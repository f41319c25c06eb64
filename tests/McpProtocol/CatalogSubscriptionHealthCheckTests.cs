using Mcp.Cluster.Gateway.Health;
using Mcp.Cluster.Gateway.McpProtocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using System.Diagnostics.Metrics;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>What readiness says about the catalog-change subscription in each of its states.</summary>
[Trait("Tier", "Unit")]
public sealed class CatalogSubscriptionHealthCheckTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
    private readonly CatalogSubscriptionStatus _status;

    public CatalogSubscriptionHealthCheckTests()
    {
        _status = new CatalogSubscriptionStatus(_time, Microsoft.Extensions.Options.Options.Create(new McpNotificationOptions()),
            _services.GetRequiredService<IMeterFactory>());
    }

    public void Dispose() => _services.Dispose();

    private Task<HealthCheckResult> CheckAsync() => new CatalogSubscriptionHealthCheck(_status, _time).CheckHealthAsync(new HealthCheckContext());

    [Fact]
    public async Task Subscribed_is_healthy_lost_is_unhealthy_until_subscribed_again_and_the_heal_is_reported()
    {
        _status.Subscribed();
        var subscribed = await CheckAsync();
        Assert.Equal(HealthStatus.Healthy, subscribed.Status);
        Assert.StartsWith("subscribed since 2026-12-02T08:00:00.000Z", subscribed.Description);

        _time.Advance(TimeSpan.FromSeconds(30));
        _status.Lost("the cluster dropped this gateway's subscription");
        _status.Lost("subscribing failed: TimeoutException: no answer");
        var lost = await CheckAsync();
        Assert.Equal(HealthStatus.Unhealthy, lost.Status);
        Assert.Contains("not subscribed since 2026-12-02T08:00:30.000Z (the cluster dropped this gateway's subscription)", lost.Description);
        Assert.Contains("no answer", lost.Description);
        Assert.Equal(0, _status.Current.Resubscriptions);

        _time.Advance(TimeSpan.FromSeconds(2));
        _status.Subscribed();
        var healed = await CheckAsync();
        Assert.Equal(HealthStatus.Healthy, healed.Status);
        Assert.Contains("resubscribed 1 time(s), last at 2026-12-02T08:00:32.000Z after the cluster dropped this gateway's subscription", healed.Description);
    }

    [Fact]
    public async Task Checks_that_cannot_reach_the_cluster_degrade_readiness_after_the_configured_number_in_a_row()
    {
        _status.Subscribed();
        _status.CheckFailed("SiloUnavailableException: gone");
        _status.CheckFailed("SiloUnavailableException: gone");
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);

        _status.CheckFailed("SiloUnavailableException: gone");
        var degraded = await CheckAsync();
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("3 checks failed, last: SiloUnavailableException: gone", degraded.Description);

        _status.Verified();
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
    }

    [Fact]
    public async Task A_gateway_that_never_subscribed_is_not_ready_and_says_why()
    {
        _status.Lost("subscribing failed: OrleansException: no silo");
        var check = CheckAsync();
        _time.Advance(TimeSpan.FromSeconds(5));
        var result = await check;
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("not subscribed yet", result.Description);
        Assert.Contains("no silo", result.Description);
    }
}
