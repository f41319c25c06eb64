using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>Query insights and saved query tests are stored: a node that restarts on the same data directory still has them.</summary>
[Trait("Tier", "Api")]
public sealed class InsightsRestartTests
{
    [Fact]
    public async Task Insights_and_query_tests_survive_a_restart_of_the_node()
    {
        using var data = new TempDirectory();
        string shapeId;
        await using (var first = new GatewayFactory(null, data.Path))
        {
            using var admin = first.CreateClient(GatewayFactory.AdminKey);
            await WaitForJobsAsync(admin);
            for (var i = 0; i < 3; i++)
            {
                using var read = await admin.PostAsJsonAsync("/api/data/query", new { source = "jobs_db", table = "jobs", filters = new { company = "Globex" }, limit = 2 });
                await read.AssertOkAsync();
            }
            var insights = await InsightsApiTests.InsightsWhenAsync(admin, "jobs_db", b => b.GetProperty("queries").GetInt64() >= 3);
            shapeId = InsightsApiTests.ShapeWith(insights, s => InsightsApiTests.Filters(s) == "company:eq").GetProperty("id").GetString()!;
            using var saved = await admin.PostAsJsonAsync("/api/datasources/jobs_db/tests", new
            {
                name = "one-job", query = new { table = "jobs", fields = new[] { "job_id" }, filters = new { job_id = 1 } }, expect = new { row_count = 1 },
            });
            await saved.AssertOkAsync(System.Net.HttpStatusCode.Created);
        }

        await using var second = new GatewayFactory(null, data.Path);
        using var again = second.CreateClient(GatewayFactory.AdminKey);
        await WaitForJobsAsync(again);
        using var response = await again.GetAsync("/api/datasources/jobs_db/insights");
        var kept = await response.AssertOkAsync();
        Assert.Equal(3, kept.GetProperty("queries").GetInt64());
        var shape = InsightsApiTests.ShapeWith(kept, s => s.GetProperty("id").GetString() == shapeId);
        Assert.Equal(3, shape.GetProperty("count").GetInt64());
        Assert.Equal("missing_index", shape.GetProperty("suggestions")[0].GetProperty("kind").GetString());

        using var run = await again.PostAsync("/api/datasources/jobs_db/tests/run", null);
        var result = await run.AssertOkAsync();
        Assert.Equal(1, result.GetProperty("passed").GetInt32());
        Assert.Equal("one-job", result.GetProperty("results")[0].GetProperty("name").GetString());
    }

    private static async Task WaitForJobsAsync(HttpClient admin)
    {
        var deadline = DateTime.UtcNow + Deadlines.Scaled(TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            var list = await admin.GetFromJsonAsync<JsonElement>("/api/datasources");
            if (list.GetProperty("data_sources").EnumerateArray().Any(s => s.GetProperty("name").GetString() == "jobs_db"))
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The sample data sources were not registered in time.");
    }
}
