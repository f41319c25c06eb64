using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.DataSources;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Api;

/// <summary><c>GET /metrics</c>: our meter with ASP.NET Core's and Orleans', in an exposition Prometheus' own promtool accepts.</summary>
public sealed class MetricsTests(DataGateway gateway) : IClassFixture<DataGateway>, IAsyncLifetime
{
    public Task InitializeAsync() => gateway.EnsureSamplesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_exposition_carries_our_instruments_and_passes_promtool()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        await gateway.QueryOkAsync(admin, new { source = "jobs_db", table = "jobs", limit = 1 });
        await gateway.QueryOkAsync(admin, new { source = "jobs_db", table = "jobs", limit = 1 });
        using (var missing = await admin.PostAsJsonAsync("/api/data/query", new { source = "jobs_db", table = "nope" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        using (var anonymous = gateway.CreateClient())
        using (var refused = await anonymous.GetAsync("/api/keys/me"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var client = gateway.CreateClient();
        string text = "";
        // The exporter caches its snapshot briefly; wait for one that includes the requests above.
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            text = await client.GetStringAsync("/metrics");
            return text.Contains("mcp_data_cache_lookups_total", StringComparison.Ordinal) && text.Contains("reason=\"invalid_key\"", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), "the exposition to show the requests");
        Assert.Contains("mcp_data_queries_total{", text);
        Assert.Contains("outcome=\"not_found\"", text);
        Assert.Contains("result=\"hit\"", text);
        Assert.Contains("mcp_data_query_duration_seconds_bucket{", text);
        Assert.Contains("http_server_request_duration_seconds_bucket{", text);

        // The whole exposition must parse (promtool exits 1 on a parse error, 3 on lint findings). Orleans' own meter has
        // lint findings we cannot change (millisecond units, no help texts); ours must be lint-clean.
        var (exit, stdout, stderr) = await CommandLine.RunAsync("promtool", ["check", "metrics"], TimeSpan.FromSeconds(60), standardInput: text);
        Assert.True(exit is 0 or 3, $"promtool could not parse the exposition ({exit}):\n{stdout}\n{stderr}");
        Assert.DoesNotContain("mcp_", stdout + stderr);
        var ours = string.Join("\n", text.Split('\n').Where(l => l.StartsWith("mcp_", StringComparison.Ordinal)
            || l.StartsWith("# HELP mcp_", StringComparison.Ordinal) || l.StartsWith("# TYPE mcp_", StringComparison.Ordinal) || l.StartsWith("# UNIT mcp_", StringComparison.Ordinal))) + "\n";
        (exit, stdout, stderr) = await CommandLine.RunAsync("promtool", ["check", "metrics"], TimeSpan.FromSeconds(60), standardInput: ours);
        Assert.True(exit == 0, $"promtool found problems in our metrics ({exit}):\n{stdout}\n{stderr}");
    }
}
