using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>The query API over the shipped sample sources: answers, every limit, and injection attempts in every field.</summary>
[Trait("Tier", "Api")]
public sealed class DataQueryApiTests(DataGateway gateway) : IClassFixture<DataGateway>, IAsyncLifetime
{
    public Task InitializeAsync() => gateway.EnsureSamplesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_samples_have_the_schemas_users_expect()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var jobs = await admin.GetFromJsonAsync<JsonElement>("/api/datasources/jobs_db/schema");
        var table = Assert.Single(jobs.GetProperty("tables").EnumerateArray());
        Assert.Equal("jobs", table.GetProperty("name").GetString());
        Assert.Equal(["job_id", "title", "company", "location", "salary_range", "requirements", "posted_date", "status"],
            table.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        // The user guide's types: salary_range an object, requirements an array, posted_date a datetime.
        Assert.Equal(["integer", "text", "text", "text", "object", "array", "datetime", "text"],
            table.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("type").GetString()));

        var homes = await admin.GetFromJsonAsync<JsonElement>("/api/datasources/homebuilders_db/schema");
        var properties = homes.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "properties");
        Assert.Equal(["property_id", "builder_id", "location", "specs", "pricing", "construction_status", "completion_date"],
            properties.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(["integer", "integer", "object", "object", "object", "text", "date"],
            properties.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("type").GetString()));

        var status = await admin.GetFromJsonAsync<JsonElement>("/api/datasources/jobs_db/status");
        Assert.Equal("active", status.GetProperty("status").GetString());
        Assert.Equal(1, status.GetProperty("table_count").GetInt32());
    }

    [Fact]
    public async Task Filters_order_and_paging_return_exactly_the_rows_sqlite_returns()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        // Posting dates are counted back from the day the sample was made.
        var since = DateTime.UtcNow.Date.AddDays(-200).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var expected = DataGateway.ReadDirect(gateway.JobsFile,
            $"SELECT job_id FROM jobs WHERE title LIKE '%engineer%' AND location IN ('Austin, TX', 'Remote') AND posted_date >= '{since}' ORDER BY posted_date DESC, job_id ASC LIMIT 5 OFFSET 2")
            .Select(r => (long)r[0]!).ToArray();
        Assert.NotEmpty(expected);

        var answer = await gateway.QueryOkAsync(admin, new
        {
            source = "jobs_db",
            table = "jobs",
            fields = new[] { "job_id", "title", "posted_date" },
            filters = new object[]
            {
                new { field = "title", op = "contains", value = "ENGINEER" },
                new { field = "location", op = "in", value = new[] { "Austin, TX", "Remote" } },
                new { field = "posted_date", op = "gte", value = since },
            },
            order_by = new object[] { "-posted_date", new { field = "job_id", direction = "asc" } },
            limit = 5,
            offset = 2,
        });
        Assert.Equal(expected, DataGateway.Rows(answer).Select(r => r.GetProperty("job_id").GetInt64()));
        Assert.Equal(expected.Length, answer.GetProperty("row_count").GetInt32());
        Assert.Equal(["job_id", "title", "posted_date"], answer.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.All(DataGateway.Rows(answer), r => Assert.Contains("engineer", r.GetProperty("title").GetString()!, StringComparison.OrdinalIgnoreCase));

        // The {field: value} shorthand means equality; object columns come back as JSON objects.
        var homes = await gateway.QueryOkAsync(admin, new
        {
            source = "homebuilders_db", table = "properties", filters = new { construction_status = "completed", builder_id = 3 }, order_by = "property_id",
        });
        var direct = DataGateway.ReadDirect(gateway.HomebuildersFile,
            "SELECT property_id, pricing, specs FROM properties WHERE construction_status = 'completed' AND builder_id = 3 ORDER BY property_id");
        Assert.Equal(direct.Select(r => (long)r[0]!), DataGateway.Rows(homes).Select(r => r.GetProperty("property_id").GetInt64()));
        var first = DataGateway.Rows(homes).First();
        Assert.Equal(JsonDocument.Parse((string)direct[0][1]!).RootElement.GetProperty("base_price").GetDouble(),
            first.GetProperty("pricing").GetProperty("base_price").GetDouble());
        Assert.Equal(JsonValueKind.Object, first.GetProperty("specs").ValueKind);
        Assert.Equal(JsonDocument.Parse((string)direct[0][2]!).RootElement.GetProperty("sqft").GetInt32(), first.GetProperty("specs").GetProperty("sqft").GetInt32());
    }

    [Fact]
    public async Task Every_limit_is_enforced_with_a_clear_error()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        async Task Refused(object body, HttpStatusCode status, string error, string? field = null)
        {
            using var response = await admin.PostAsJsonAsync("/api/data/query", body);
            var problem = await response.AssertErrorAsync(status, error);
            if (field is not null)
            {
                Assert.Equal(field, problem.GetProperty("field").GetString());
            }
        }

        await Refused(new { source = "jobs_db", table = "jobs", limit = 1001 }, HttpStatusCode.BadRequest, "validation_error", "limit");
        await Refused(new { source = "jobs_db", table = "jobs", limit = 0 }, HttpStatusCode.BadRequest, "validation_error", "limit");
        await Refused(new { source = "jobs_db", table = "jobs", offset = -1 }, HttpStatusCode.BadRequest, "validation_error", "offset");
        await Refused(new { source = "jobs_db", table = "jobs", offset = 100_001 }, HttpStatusCode.BadRequest, "validation_error", "offset");
        await Refused(new { source = "jobs_db", table = "jobs", filters = Enumerable.Range(0, 33).Select(i => new { field = "job_id", op = "ne", value = i }).ToArray() },
            HttpStatusCode.BadRequest, "validation_error", "filters");
        await Refused(new { source = "jobs_db", table = "jobs", filters = new[] { new { field = "job_id", op = "in", value = Enumerable.Range(0, 501).ToArray() } } },
            HttpStatusCode.BadRequest, "validation_error", "filters.job_id");
        await Refused(new { source = "jobs_db", table = "jobs", filters = new[] { new { field = "title", op = "eq", value = new string('x', 4097) } } },
            HttpStatusCode.BadRequest, "validation_error", "filters.title");
        await Refused(new { source = "jobs_db", table = "jobs", filters = new[] { new { field = "job_id", op = "eq", value = "seven" } } },
            HttpStatusCode.BadRequest, "validation_error", "filters.job_id");
        await Refused(new { source = "jobs_db", table = "jobs", filters = new[] { new { field = "job_id", op = "like", value = 1 } } },
            HttpStatusCode.BadRequest, "validation_error", "filters[0].op");
        await Refused(new { source = "jobs_db", table = "jobs", order_by = new[] { new { field = "job_id", direction = "sideways" } } },
            HttpStatusCode.BadRequest, "validation_error", "order_by");
        // Without a table a source with several needs fields that tell them apart.
        await Refused(new { source = "homebuilders_db" }, HttpStatusCode.BadRequest, "validation_error", "table");
        await Refused(new { source = "jobs_db", table = " " }, HttpStatusCode.BadRequest, "validation_error", "table");
        await Refused(new { table = "jobs" }, HttpStatusCode.BadRequest, "validation_error", "source");
        await Refused(new { source = "jobs_db", table = "jobs", colour = "red" }, HttpStatusCode.BadRequest, "invalid_request");
        await Refused(new { source = "no_such_db", table = "jobs" }, HttpStatusCode.NotFound, "not_found", "source");

        // The body limit (64 KiB here) holds for queries too.
        using var big = await admin.PostAsync("/api/data/query", new StringContent(
            JsonSerializer.Serialize(new { source = "jobs_db", table = "jobs", filters = new[] { new { field = "title", op = "eq", value = new string('x', 70_000) } } }),
            Encoding.UTF8, "application/json"));
        await big.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        // Nothing above changed the data.
        Assert.Equal(240L, (long)DataGateway.ReadDirect(gateway.JobsFile, "SELECT count(*) FROM jobs")[0][0]!);
    }

    public static TheoryData<string, string> Injections => new()
    {
        { "quote", "jobs\" ; DROP TABLE jobs; --" },
        { "comment", "job_id /* */ FROM jobs; DELETE FROM jobs --" },
        { "union", "title FROM jobs UNION SELECT sql FROM sqlite_schema --" },
        { "expression", "1=1 OR job_id" },
        { "subquery", "(SELECT count(*) FROM jobs)" },
        { "null byte", "title\u0000" },
    };

    [Theory]
    [MemberData(nameof(Injections))]
    public async Task Injection_attempts_in_every_name_field_are_refused_and_change_nothing(string kind, string hostile)
    {
        _ = kind;
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        object[] bodies =
        [
            new { source = "jobs_db", table = hostile },
            new { source = "jobs_db", table = "jobs", fields = new[] { hostile } },
            new { source = "jobs_db", table = "jobs", filters = new[] { new { field = hostile, op = "eq", value = "x" } } },
            new { source = "jobs_db", table = "jobs", filters = new Dictionary<string, object> { [hostile] = 1 } },
            new { source = "jobs_db", table = "jobs", order_by = new[] { hostile } },
            new { source = "jobs_db", table = "jobs", order_by = new[] { new { field = hostile, direction = "desc" } } },
        ];
        foreach (var body in bodies)
        {
            using var response = await admin.PostAsJsonAsync("/api/data/query", body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{JsonSerializer.Serialize(body)} → {(int)response.StatusCode} {text}");
            Assert.DoesNotContain("sqlite_schema\":", text);
        }
        using (var response = await admin.PostAsJsonAsync("/api/data/query", new { source = hostile, table = "jobs" }))
        {
            await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }

        // Hostile values are data: compared as text, returning nothing and harming nothing.
        var answer = await gateway.QueryOkAsync(admin, new
        {
            source = "jobs_db", table = "jobs",
            filters = new object[] { new { field = "title", op = "eq", value = hostile }, new { field = "company", op = "contains", value = hostile } },
        });
        Assert.Equal(0, answer.GetProperty("row_count").GetInt32());
        Assert.Equal(240L, (long)DataGateway.ReadDirect(gateway.JobsFile, "SELECT count(*) FROM jobs")[0][0]!);
    }

    [Fact]
    public async Task Wildcards_in_pattern_values_match_literally()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        foreach (var pattern in new[] { "%", "_", "!%", "%_%" })
        {
            var answer = await gateway.QueryOkAsync(admin, new
            {
                source = "jobs_db", table = "jobs", filters = new[] { new { field = "title", op = "contains", value = pattern } },
            });
            Assert.Equal(0, answer.GetProperty("row_count").GetInt32());
        }
    }

    [Fact]
    public async Task Raw_sql_is_one_read_only_statement_with_a_row_cap()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using (var response = await admin.PostAsJsonAsync("/api/data/sql", new { source = "jobs_db", sql = "SELECT company, count(*) AS n FROM jobs GROUP BY company ORDER BY n DESC, company" }))
        {
            var body = await response.AssertOkAsync();
            var expected = DataGateway.ReadDirect(gateway.JobsFile, "SELECT company, count(*) FROM jobs GROUP BY company ORDER BY 2 DESC, company");
            Assert.Equal(expected.Select(r => (string)r[0]!), DataGateway.Rows(body).Select(r => r.GetProperty("company").GetString()));
            Assert.Equal(expected.Select(r => (long)r[1]!), DataGateway.Rows(body).Select(r => r.GetProperty("n").GetInt64()));
            Assert.False(body.GetProperty("truncated").GetBoolean());
        }
        using (var response = await admin.PostAsJsonAsync("/api/data/sql", new { source = "jobs_db", sql = "SELECT job_id FROM jobs" }))
        {
            var body = await response.AssertOkAsync();
            Assert.Equal(50, body.GetProperty("row_count").GetInt32());
            Assert.True(body.GetProperty("truncated").GetBoolean());
        }
        using (var response = await admin.PostAsJsonAsync("/api/data/sql", new { source = "jobs_db", sql = "SELECT job_id FROM jobs", max_rows = 7 }))
        {
            Assert.Equal(7, (await response.AssertOkAsync()).GetProperty("row_count").GetInt32());
        }
        using (var response = await admin.PostAsJsonAsync("/api/data/sql", new { source = "jobs_db", sql = "SELECT 1", max_rows = 51 }))
        {
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        foreach (var sql in new[] { "SELECT 1; DELETE FROM jobs", "SELECT 1 /* ; */ ; DROP TABLE jobs", "SELECT ';' AS x; DELETE FROM jobs", "  ", "-- nothing" })
        {
            using var response = await admin.PostAsJsonAsync("/api/data/sql", new { source = "jobs_db", sql });
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        // One statement that writes reaches SQLite on a read-only connection, which refuses it.
        foreach (var sql in new[] { "DELETE FROM jobs", "UPDATE jobs SET title = 'x'", "CREATE TABLE pwned (x)", "SELECT nope FROM jobs" })
        {
            using var response = await admin.PostAsJsonAsync("/api/data/sql", new { source = "jobs_db", sql });
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "sql_error");
        }
        // A trailing semicolon and a literal semicolon are fine.
        using (var response = await admin.PostAsJsonAsync("/api/data/sql", new { source = "jobs_db", sql = "SELECT ';' AS x;  -- done" }))
        {
            Assert.Equal(";", DataGateway.Rows(await response.AssertOkAsync()).Single().GetProperty("x").GetString());
        }
        Assert.Equal(240L, (long)DataGateway.ReadDirect(gateway.JobsFile, "SELECT count(*) FROM jobs")[0][0]!);
        using (var response = await admin.PostAsJsonAsync("/api/data/sql", new { source = "jobs_db", sql = new string(' ', 16 * 1024) + "SELECT 1" }))
        {
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
    }

    [Fact]
    public async Task A_runaway_sqlite_statement_is_interrupted_at_the_query_timeout_while_other_reads_go_on()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var started = System.Diagnostics.Stopwatch.StartNew();
        // Counting to ten billion would keep SQLite busy for many minutes.
        var runaway = admin.PostAsJsonAsync("/api/data/sql", new
        {
            source = "jobs_db",
            sql = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10000000000) SELECT count(*) AS c FROM n",
        });
        // The source's grain is not stalled by the statement: a read of the same source is answered while it runs.
        var jobs = gateway.Services.GetRequiredService<IGrainFactory>().GetGrain<IDataSourceGrain>("jobs_db");
        await ModelTestHelpers.EventuallyAsync(async () => await jobs.GetActiveQueriesAsync() >= 1, TimeSpan.FromSeconds(30),
            "the runaway statement to be running");
        using (var other = await admin.PostAsJsonAsync("/api/data/sql", new { source = "jobs_db", sql = "SELECT count(*) AS n FROM jobs" }))
        {
            Assert.Equal(240, DataGateway.Rows(await other.AssertOkAsync()).Single().GetProperty("n").GetInt64());
        }
        Assert.False(runaway.IsCompleted, "the runaway statement ended before the other read was answered");

        using var response = await runaway;
        var error = await response.AssertErrorAsync(HttpStatusCode.GatewayTimeout, "query_timeout");
        Assert.Contains("5 s", error.GetProperty("detail").GetString());
        // The 5 s timeout of this gateway; interrupted, not left to finish.
        Assert.InRange(started.Elapsed.TotalSeconds, 4.5, 60);
    }
}
