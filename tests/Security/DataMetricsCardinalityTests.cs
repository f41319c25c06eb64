using System.Net.Http.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 15 retest, F10: every source name a caller made up became a label value on GET /metrics (unbounded
/// cardinality chosen by callers). Reads of names that are not registered sources are counted under "_unknown".
/// </summary>
/// <remarks>
/// On a gateway process of its own, as the metrics tests are: in the test process other gateways' instruments mix into
/// the exposition and vanish from it when those gateways are disposed.
/// </remarks>
[Trait("Tier", "System")]
public sealed class DataMetricsCardinalityTests(GatewayProcess gateway) : IClassFixture<GatewayProcess>
{
    [Fact]
    public async Task Unknown_source_names_add_no_series_to_metrics()
    {
        string apiKey;
        using (var creator = gateway.CreateClient(GatewayFactory.AdminKey))
        using (var created = await creator.PostAsJsonAsync("/api/keys", new { owner = "metrics-prober", permissions = new[] { "read" } }))
        {
            apiKey = (await created.AssertOkAsync(System.Net.HttpStatusCode.Created)).GetProperty("api_key").GetString()!;
        }
        using var client = gateway.CreateClient(apiKey);
        var prefix = $"nosuch{Guid.NewGuid():N}"[..14];
        for (var i = 0; i < 20; i++)
        {
            var source = $"{prefix}_{i}";
            using var query = await client.PostAsJsonAsync("/api/data/query", new { source, table = "jobs" });
            await query.AssertErrorAsync(System.Net.HttpStatusCode.NotFound, "not_found");
            using var sql = await client.PostAsJsonAsync("/api/data/sql", new { source, sql = "SELECT 1" });
            await sql.AssertErrorAsync(System.Net.HttpStatusCode.NotFound, "not_found");
        }

        using var anonymous = gateway.CreateClient();
        var text = "";
        // The exporter caches its snapshot briefly: wait for one that counts the refusals above.
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            text = await anonymous.GetStringAsync("/metrics");
            return text.Contains("source=\"_unknown\"", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), "/metrics to count reads of unknown sources under _unknown");
        Assert.DoesNotContain(prefix, text);
        // Registered sources keep their own series.
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using var known = await admin.PostAsJsonAsync("/api/data/query", new { source = "jobs_db", table = "jobs", limit = 1 });
        await known.AssertOkAsync();
        var shown = ModelTestHelpers.EventuallyAsync(async () =>
        {
            text = await anonymous.GetStringAsync("/metrics");
            return text.Contains("source=\"jobs_db\"", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), "/metrics to count reads of jobs_db under its name");
        var failed = await Record.ExceptionAsync(() => shown);
        Assert.True(failed is null, string.Join("\n", text.Split('\n').Where(l => l.Contains("mcp_data", StringComparison.Ordinal))));
    }
}
