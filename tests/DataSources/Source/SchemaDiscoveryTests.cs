using Mcp.Cluster.DataSources;
using Microsoft.Extensions.Time.Testing;

namespace Mcp.Cluster.Tests.DataSources.Source;

/// <summary>Discovery through the grain's connector: shared while it runs, a new generation only when the schema changed.</summary>
[Trait("Tier", "Unit")]
public sealed class SchemaDiscoveryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeDataConnector _connector = new();
    private readonly SourceFixtures _source;

    public SchemaDiscoveryTests()
    {
        _source = new SourceFixtures(_time, new DataSourceGrainOptions { SchemaDiscoveryTimeout = TimeSpan.FromSeconds(60) });
        _source.Connection.Use(_connector);
    }

    [Fact]
    public async Task Callers_asking_while_a_discovery_runs_share_it()
    {
        var tables = new TaskCompletionSource<IReadOnlyList<TableSchema>>();
        _connector.Discover = _ => tables.Task;
        var first = _source.Discovery.DiscoverOnceAsync();
        var second = _source.Discovery.EnsureAsync();
        Assert.Same(first, _source.Discovery.DiscoverOnceAsync());
        tables.SetResult([SourceFixtures.Jobs]);

        Assert.Null(await first);
        Assert.Equal([SourceFixtures.Jobs], await second);
        Assert.Equal(1, _connector.Discoveries);
        Assert.Equal(_time.GetUtcNow(), _source.State.SchemaRefreshedAt);
        Assert.True(_source.Writer.IsDirty);
        // Known now: asking again does not discover again.
        Assert.Equal([SourceFixtures.Jobs], await _source.Discovery.EnsureAsync());
        Assert.Equal(1, _connector.Discoveries);
    }

    [Fact]
    public async Task Only_a_changed_schema_starts_a_new_generation()
    {
        _connector.Discover = _ => Task.FromResult<IReadOnlyList<TableSchema>>([SourceFixtures.Jobs]);
        Assert.True(await _source.Discovery.RefreshAsync());
        var version = _source.Policy.Version;
        Assert.False(await _source.Discovery.RefreshAsync());
        Assert.Equal(2, _source.State.Generation);
        // Same tables, rebuilt: still the same schema.
        _connector.Discover = _ => Task.FromResult<IReadOnlyList<TableSchema>>([SourceFixtures.Jobs with { Columns = [.. SourceFixtures.Jobs.Columns] }]);
        Assert.False(await _source.Discovery.RefreshAsync());
        _connector.Discover = _ => Task.FromResult<IReadOnlyList<TableSchema>>([SourceFixtures.Jobs, SourceFixtures.Companies]);
        Assert.True(await _source.Discovery.RefreshAsync());
        Assert.Equal(3, _source.State.Generation);
        // Every discovery may change what executors are handed.
        Assert.NotEqual(version, _source.Policy.Version);
    }

    [Fact]
    public async Task A_discovery_that_outlives_its_timeout_fails_and_the_next_success_clears_the_error()
    {
        _connector.Discover = FakeDataConnector.HangAsync<IReadOnlyList<TableSchema>>;
        var running = _source.Discovery.DiscoverOnceAsync();
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal("schema discovery timed out", await running);
        Assert.Equal("schema discovery timed out", _source.Discovery.Error);
        Assert.Null(_source.State.SchemaRefreshedAt);
        Assert.False(_source.Writer.IsDirty);

        // A schema never discovered is discovered by the first caller that needs it.
        _connector.Discover = _ => Task.FromResult<IReadOnlyList<TableSchema>>([SourceFixtures.Jobs]);
        Assert.NotNull(await _source.Discovery.EnsureAsync());
        Assert.Null(_source.Discovery.Error);
        Assert.Equal(2, _connector.Discoveries);
    }
}
