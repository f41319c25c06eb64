using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>Reads of data sources as usage: rows, cache hits and misses per source; invented source names never become scopes.</summary>
[Trait("Tier", "Api")]
public sealed class DataUsageTests(DataGateway gateway) : IClassFixture<DataGateway>, IAsyncLifetime
{
    public Task InitializeAsync() => gateway.EnsureSamplesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Source_metrics_count_reads_rows_and_cache_results()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var query = new { source = "homebuilders_db", table = "properties", fields = new[] { "property_id" }, limit = 3 };
        await gateway.QueryOkAsync(admin, query);
        await gateway.QueryOkAsync(admin, query);
        using (var unknownTable = await admin.PostAsJsonAsync("/api/data/query", new { source = "no_such_source", table = "x" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknownTable.StatusCode);
        }

        JsonElement metrics = default;
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            metrics = await admin.GetJsonAsync("/api/datasources/homebuilders_db/metrics");
            return metrics.GetProperty("requests").GetInt64() >= 2;
        }, TimeSpan.FromSeconds(20), "the source's reads to be aggregated");
        Assert.Equal(2, metrics.GetProperty("requests").GetInt64());
        Assert.Equal(6, metrics.GetProperty("rows").GetInt64());
        Assert.Equal(1, metrics.GetProperty("cache_hits").GetInt64());
        Assert.Equal(1, metrics.GetProperty("cache_misses").GetInt64());
        Assert.Equal(0.5, metrics.GetProperty("cache_hit_rate").GetDouble());
        Assert.Equal(2, metrics.GetProperty("by_route").GetProperty("POST /api/data/query").GetInt64());

        // The cluster's scope is another stream, delivered on its own schedule.
        List<string?> sources = [];
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            var summary = await admin.GetJsonAsync("/summary?top=100");
            sources = summary.GetProperty("top_sources").EnumerateArray().Select(s => s.GetProperty("id").GetString()).ToList();
            return sources.Contains("homebuilders_db");
        }, TimeSpan.FromSeconds(20), "the summary to rank the source");
        Assert.DoesNotContain("no_such_source", sources);

        await (await admin.GetAsync("/api/datasources/no_such_source/metrics")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        var (_, reader) = await gateway.CreateKeyAsync(new { owner = "usage-reader", permissions = new[] { "read" } });
        using var notAdmin = gateway.CreateClient(reader);
        await (await notAdmin.GetAsync("/api/datasources/homebuilders_db/metrics")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
