using Mcp.Cluster.DataSources;
using Microsoft.Extensions.Time.Testing;

namespace Mcp.Cluster.Tests.DataSources.Source;

[Trait("Tier", "Unit")]
public sealed class DataSourceHealthLoopTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeDataConnector _connector = new();
    private readonly SourceFixtures _source;

    public DataSourceHealthLoopTests() =>
        _source = new SourceFixtures(_time, new DataSourceGrainOptions { UnhealthyThreshold = 2, HealthCheckTimeout = TimeSpan.FromSeconds(10) });

    [Fact]
    public async Task Nothing_is_checked_without_a_connector_or_while_disabled()
    {
        Assert.False(await _source.Health.CheckAsync());
        _source.Connection.Use(_connector);
        _source.State.Disabled = true;
        Assert.False(await _source.Health.CheckAsync());
        Assert.Null(_source.Health.Healthy);
    }

    [Fact]
    public async Task A_source_is_unhealthy_after_the_threshold_of_failures_in_a_row_and_a_timeout_is_one()
    {
        _source.Connection.Use(_connector);
        _connector.Health = _ => throw new InvalidOperationException("connection refused");
        Assert.True(await _source.Health.CheckAsync());
        Assert.Equal((false, false, "connection refused"), (_source.Health.Healthy, _source.Health.Unhealthy, _source.Health.LastError));

        _connector.Health = FakeDataConnector.HangAsync<object>;
        var check = _source.Health.CheckAsync();
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await check);
        Assert.True(_source.Health.Unhealthy);
        Assert.Equal("health check timed out", _source.Health.LastError);
        Assert.Equal(_time.GetUtcNow(), _source.Health.LastCheckedAt);
        Assert.Equal(10_000, _source.Health.LastCheckMs);

        _source.Health.Reset();
        Assert.Equal((null, false), (_source.Health.Healthy, _source.Health.Unhealthy));
    }

    [Fact]
    public async Task A_healthy_check_of_a_source_never_discovered_discovers_it()
    {
        _source.Connection.Use(_connector);
        _connector.Discover = _ => Task.FromResult<IReadOnlyList<TableSchema>>([SourceFixtures.Jobs]);
        Assert.True(await _source.Health.CheckAsync());
        Assert.Equal((true, 1), (_source.Health.Healthy, _connector.Discoveries));
        Assert.True(await _source.Health.CheckAsync());
        Assert.Equal(1, _connector.Discoveries);
        Assert.Null(_source.Health.LastError);
    }
}
