using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// <c>GET /api/datasources/{name}/insights</c> on the samples: reads become shapes without their values, with counts,
/// cache use and advice (the jobs sample has no index but its INTEGER PRIMARY KEY). Each test reads a source of its own.
/// </summary>
[Trait("Tier", "Api")]
public sealed class InsightsApiTests(DataGateway gateway) : IClassFixture<DataGateway>
{
    private HttpClient Admin() => gateway.CreateClient(GatewayFactory.AdminKey);

    /// <summary>A source of its own on the jobs sample, so no other test's reads are among its shapes.</summary>
    internal static async Task<string> JobsSourceAsync(DataGateway gateway, int cacheTtl = 60)
    {
        await gateway.EnsureSamplesAsync();
        var name = $"ins_{Guid.NewGuid():N}"[..20];
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using var response = await admin.PostAsJsonAsync("/api/datasources", new
        {
            name, type = "sqlite", config = new { path = gateway.JobsFile }, default_access = "read", cache_ttl_seconds = cacheTtl,
        });
        await response.AssertOkAsync(HttpStatusCode.Created);
        return name;
    }

    /// <summary>The insights once <paramref name="ready"/> holds: reads reach the insights grain in batches, a report interval late.</summary>
    internal static async Task<JsonElement> InsightsWhenAsync(HttpClient admin, string source, Func<JsonElement, bool> ready, string query = "")
    {
        var deadline = DateTime.UtcNow + Deadlines.Scaled(TimeSpan.FromSeconds(20));
        JsonElement body;
        do
        {
            using var response = await admin.GetAsync($"/api/datasources/{source}/insights{query}");
            body = await response.AssertOkAsync();
            if (ready(body))
            {
                return body;
            }
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"The insights of {source} did not get there: {body}");
    }

    internal static JsonElement ShapeWith(JsonElement insights, Func<JsonElement, bool> match) =>
        insights.GetProperty("shapes").EnumerateArray().Single(match);

    internal static string Filters(JsonElement shape) =>
        string.Join(",", shape.GetProperty("filters").EnumerateArray().Select(f => $"{f.GetProperty("field").GetString()}:{f.GetProperty("op").GetString()}"));

    private static string[] Kinds(JsonElement shape) =>
        shape.GetProperty("suggestions").EnumerateArray().Select(s => s.GetProperty("kind").GetString()!).ToArray();

    [Fact]
    public async Task Filters_become_shapes_without_values_with_index_and_sargability_advice()
    {
        var source = await JobsSourceAsync(gateway);
        var (_, apiKey) = await gateway.CreateKeyAsync(new { owner = "insight-reader", permissions = new[] { "read" } });
        using var reader = gateway.CreateClient(apiKey);
        await gateway.QueryOkAsync(reader, new { source, table = "jobs", filters = new { company = "Globex" }, limit = 5 });
        await gateway.QueryOkAsync(reader, new { source, table = "jobs", filters = new { company = "Initech" }, limit = 5 });
        await gateway.QueryOkAsync(reader, new { source, table = "jobs", filters = new { job_id = 7 }, limit = 5 });
        await gateway.QueryOkAsync(reader, new
        {
            source, table = "jobs", filters = new[] { new { field = "title", op = "contains", value = (object)"Engineer" } }, order_by = "-job_id", limit = 5,
        });

        using var admin = Admin();
        var insights = await InsightsWhenAsync(admin, source, b => b.GetProperty("queries").GetInt64() >= 4);
        Assert.Equal(source, insights.GetProperty("source").GetString());
        Assert.Equal(4, insights.GetProperty("queries").GetInt64());
        Assert.Equal(3, insights.GetProperty("shapes").GetArrayLength());
        Assert.DoesNotContain("Globex", insights.GetRawText());
        Assert.DoesNotContain("Initech", insights.GetRawText());

        var company = ShapeWith(insights, s => Filters(s) == "company:eq");
        Assert.Equal(2, company.GetProperty("count").GetInt64());
        Assert.StartsWith("qs_", company.GetProperty("id").GetString());
        Assert.Equal("jobs", company.GetProperty("table").GetString());
        Assert.True(company.GetProperty("index_information").GetBoolean());
        Assert.Equal("SELECT * FROM jobs WHERE company = ? LIMIT ?", company.GetProperty("statement").GetString());
        var missing = Assert.Single(company.GetProperty("suggestions").EnumerateArray());
        Assert.Equal("missing_index", missing.GetProperty("kind").GetString());
        Assert.Equal("company", missing.GetProperty("field").GetString());
        Assert.Contains("CREATE INDEX \"ix_jobs_company\" ON \"jobs\" (\"company\");", missing.GetProperty("detail").GetString());
        Assert.True(company.GetProperty("avg_ms").GetDouble() > 0);
        Assert.True(company.GetProperty("max_ms").GetDouble() >= company.GetProperty("avg_ms").GetDouble());
        Assert.Equal(5, company.GetProperty("rows_max").GetInt64());
        Assert.Equal(0, company.GetProperty("cache_hit_rate").GetDouble());

        // job_id is the INTEGER PRIMARY KEY: the rowid, as good as an index.
        Assert.Empty(ShapeWith(insights, s => Filters(s) == "job_id:eq").GetProperty("suggestions").EnumerateArray());

        var contains = ShapeWith(insights, s => Filters(s) == "title:contains");
        Assert.Equal(["non_sargable_filter"], Kinds(contains));
        Assert.Equal(["-job_id"], contains.GetProperty("order_by").EnumerateArray().Select(o => o.GetString()!).ToArray());

        Assert.Equal(company.GetProperty("id").GetString(), insights.GetProperty("frequent")[0].GetString());
        Assert.Equal(3, insights.GetProperty("slowest").GetArrayLength());
    }

    [Fact]
    public async Task Repeated_identical_queries_are_always_cached_and_raw_sql_has_a_shape_of_its_own()
    {
        var source = await JobsSourceAsync(gateway);
        using var admin = Admin();
        for (var i = 0; i < 21; i++)
        {
            await gateway.QueryOkAsync(admin, new { source, table = "jobs", filters = new { location = "Austin, TX" }, limit = 3 });
        }
        foreach (var company in new[] { "Globex", "Hooli" })
        {
            using var sql = await admin.PostAsJsonAsync("/api/data/sql", new { source, sql = $"SELECT title FROM jobs WHERE company = '{company}' LIMIT 2" });
            await sql.AssertOkAsync();
        }

        var insights = await InsightsWhenAsync(admin, source, b => b.GetProperty("queries").GetInt64() >= 23);
        var cached = ShapeWith(insights, s => Filters(s) == "location:eq");
        Assert.Equal(21, cached.GetProperty("count").GetInt64());
        Assert.Equal(Math.Round(20 / 21.0, 4), cached.GetProperty("cache_hit_rate").GetDouble());
        Assert.Contains("always_cached", Kinds(cached));
        Assert.Contains("missing_index", Kinds(cached));

        var sqlShape = ShapeWith(insights, s => s.GetProperty("kind").GetString() == "sql");
        Assert.Equal(2, sqlShape.GetProperty("count").GetInt64());
        Assert.Equal("SELECT title FROM jobs WHERE company = ? LIMIT ?", sqlShape.GetProperty("statement").GetString());
        Assert.Empty(sqlShape.GetProperty("suggestions").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, sqlShape.GetProperty("cache_hit_rate").ValueKind);
        Assert.DoesNotContain("Hooli", insights.GetRawText());

        using var limited = await admin.GetAsync($"/api/datasources/{source}/insights?limit=1&sort=slowest");
        var one = await limited.AssertOkAsync();
        Assert.Single(one.GetProperty("shapes").EnumerateArray());
        Assert.Equal(one.GetProperty("slowest")[0].GetString(), one.GetProperty("shapes")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_shape_whose_values_differ_every_run_is_never_cached()
    {
        var source = await JobsSourceAsync(gateway);
        using var admin = Admin();
        for (var i = 0; i < 20; i++)
        {
            await gateway.QueryOkAsync(admin, new { source, table = "jobs", filters = new { job_id = 1000 + i }, limit = 2 });
        }
        var insights = await InsightsWhenAsync(admin, source, b => b.GetProperty("queries").GetInt64() >= 20);
        var shape = ShapeWith(insights, s => Filters(s) == "job_id:eq");
        Assert.Equal(20, shape.GetProperty("count").GetInt64());
        Assert.Equal(0, shape.GetProperty("cache_hit_rate").GetDouble());
        Assert.Equal(["never_cached"], Kinds(shape));
    }

    [Fact]
    public async Task Only_admins_read_insights_and_bad_parameters_are_400s()
    {
        var source = await JobsSourceAsync(gateway);
        var (_, apiKey) = await gateway.CreateKeyAsync(new { owner = "insight-peeker", permissions = new[] { "read", "execute" } });
        using var reader = gateway.CreateClient(apiKey);
        using (var response = await reader.GetAsync($"/api/datasources/{source}/insights"))
        {
            await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        using var admin = Admin();
        foreach (var (query, field) in new[] { ("?limit=0", "limit"), ("?limit=101", "limit"), ("?limit=ten", "limit"), ("?limit=-1", "limit"), ("?sort=fastest", "sort") })
        {
            using var response = await admin.GetAsync($"/api/datasources/{source}/insights{query}");
            var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
            Assert.Equal(field, error.GetProperty("field").GetString());
        }
        foreach (var name in new[] { "no_such_source", "Bad-Name", new string('a', 200) })
        {
            using var response = await admin.GetAsync($"/api/datasources/{name}/insights");
            await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
    }

    [Fact]
    public async Task Deleting_a_source_clears_its_insights()
    {
        var source = await JobsSourceAsync(gateway);
        using var admin = Admin();
        await gateway.QueryOkAsync(admin, new { source, table = "jobs", filters = new { company = "Globex" }, limit = 1 });
        await InsightsWhenAsync(admin, source, b => b.GetProperty("queries").GetInt64() >= 1);

        using (var deleted = await admin.DeleteAsync($"/api/datasources/{source}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        using (var gone = await admin.GetAsync($"/api/datasources/{source}/insights"))
        {
            await gone.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        using (var again = await admin.PostAsJsonAsync("/api/datasources", new { name = source, type = "sqlite", config = new { path = gateway.JobsFile } }))
        {
            await again.AssertOkAsync(HttpStatusCode.Created);
        }
        using var fresh = await admin.GetAsync($"/api/datasources/{source}/insights");
        var body = await fresh.AssertOkAsync();
        Assert.Equal(0, body.GetProperty("queries").GetInt64());
        Assert.Empty(body.GetProperty("shapes").EnumerateArray());
    }
}
