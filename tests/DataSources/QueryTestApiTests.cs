using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// Saved query tests: they pass on the samples, fail with a reason an admin can act on when the data or the schema
/// under the query changes, and bad bodies are 400s. Changes are made to a copy of the jobs sample of each test's own.
/// </summary>
[Trait("Tier", "Api")]
public sealed class QueryTestApiTests(DataGateway gateway) : IClassFixture<DataGateway>
{
    private HttpClient Admin() => gateway.CreateClient(GatewayFactory.AdminKey);

    /// <summary>A writable copy of the jobs sample registered as a source without caching (so a change shows at once).</summary>
    private async Task<(string Source, string File)> JobsCopyAsync()
    {
        await gateway.EnsureSamplesAsync();
        var name = $"qt_{Guid.NewGuid():N}"[..20];
        var file = Path.Combine(gateway.DataDirectory, "samples", name + ".db");
        File.Copy(gateway.JobsFile, file);
        using var admin = Admin();
        using var response = await admin.PostAsJsonAsync("/api/datasources", new { name, type = "sqlite", config = new { path = file }, cache_ttl_seconds = 0 });
        await response.AssertOkAsync(HttpStatusCode.Created);
        return (name, file);
    }

    private static void Execute(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static async Task<JsonElement> RunAsync(HttpClient admin, string source, string? name = null)
    {
        using var response = await admin.PostAsync($"/api/datasources/{source}/tests/run{(name is null ? "" : "?name=" + name)}", null);
        return await response.AssertOkAsync();
    }

    private static JsonElement Result(JsonElement run, string name) =>
        run.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("name").GetString() == name);

    private static string[] Failures(JsonElement result) => result.GetProperty("failures").EnumerateArray().Select(f => f.GetString()!).ToArray();

    [Fact]
    public async Task Tests_pass_then_fail_with_the_reason_when_the_data_and_then_the_schema_change()
    {
        var (source, file) = await JobsCopyAsync();
        var globex = DataGateway.ReadDirect(file, "SELECT job_id, title FROM jobs WHERE company = 'Globex' ORDER BY job_id");
        var company3 = (string)DataGateway.ReadDirect(file, "SELECT company FROM jobs WHERE job_id = 3")[0][0]!;
        using var admin = Admin();

        using (var saved = await admin.PostAsJsonAsync($"/api/datasources/{source}/tests", new
        {
            name = "job-3",
            query = new { table = "jobs", fields = new[] { "job_id", "company" }, filters = new { job_id = 3 } },
            expect = new { row_count = 1, rows = new[] { new { job_id = 3, company = company3 } }, max_ms = 30_000 },
        }))
        {
            var body = await saved.AssertOkAsync(HttpStatusCode.Created);
            Assert.Equal($"/api/datasources/{source}/tests/job-3", saved.Headers.Location?.ToString());
            Assert.Equal("jobs", body.GetProperty("query").GetProperty("table").GetString());
            Assert.Equal(company3, body.GetProperty("expect").GetProperty("rows")[0].GetProperty("company").GetString());
        }
        using (var saved = await admin.PostAsJsonAsync($"/api/datasources/{source}/tests", new
        {
            name = "globex-postings",
            query = new
            {
                table = "jobs", fields = new[] { "job_id", "title" }, order_by = "job_id", limit = 500,
                filters = new[] { new { field = "company", op = "eq", value = "Globex" } },
            },
            expect_from_current = true,
        }))
        {
            var body = await saved.AssertOkAsync(HttpStatusCode.Created);
            Assert.Equal(globex.Count, body.GetProperty("expect").GetProperty("row_count").GetInt32());
            Assert.Equal(globex.Count, body.GetProperty("expect").GetProperty("rows").GetArrayLength());
        }

        var passing = await RunAsync(admin, source);
        Assert.Equal(source, passing.GetProperty("source").GetString());
        Assert.Equal(2, passing.GetProperty("passed").GetInt32());
        Assert.Equal(0, passing.GetProperty("failed").GetInt32());
        var globexResult = Result(passing, "globex-postings");
        Assert.True(globexResult.GetProperty("passed").GetBoolean());
        Assert.Equal(globex.Count, globexResult.GetProperty("row_count").GetInt32());
        Assert.Equal(["job_id"], globexResult.GetProperty("query").GetProperty("order_by").EnumerateArray().Select(o => o.GetString()!).ToArray());
        Assert.True(globexResult.GetProperty("elapsed_ms").GetDouble() > 0);

        // The data changes: one posting goes.
        var removed = (long)globex[0][0]!;
        Execute(file, $"DELETE FROM jobs WHERE job_id = {removed}");
        var afterDelete = await RunAsync(admin, source, "globex-postings");
        var failed = Assert.Single(afterDelete.GetProperty("results").EnumerateArray());
        Assert.False(failed.GetProperty("passed").GetBoolean());
        Assert.Equal(1, afterDelete.GetProperty("failed").GetInt32());
        var failures = Failures(failed);
        Assert.Equal($"row_count {globex.Count - 1}, expected {globex.Count}", failures[0]);
        Assert.Contains(failures, f => f.StartsWith($"row 1 is {{\"job_id\":{globex[1][0]}", StringComparison.Ordinal));

        // The schema changes under the query: the field it names is gone.
        Execute(file, "ALTER TABLE jobs RENAME COLUMN company TO firm");
        using (var refreshed = await admin.PostAsync($"/api/datasources/{source}/refresh", null))
        {
            await refreshed.AssertOkAsync();
        }
        var afterRename = await RunAsync(admin, source);
        Assert.Equal(0, afterRename.GetProperty("passed").GetInt32());
        var reason = Assert.Single(Failures(Result(afterRename, "job-3")));
        Assert.StartsWith("the query failed with validation_error", reason);
        Assert.Contains("has no field 'company'", reason);

        // Each test keeps its last result.
        using var list = await admin.GetAsync($"/api/datasources/{source}/tests");
        var tests = (await list.AssertOkAsync()).GetProperty("tests");
        Assert.Equal(["globex-postings", "job-3"], tests.EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray());
        Assert.All(tests.EnumerateArray(), t => Assert.False(t.GetProperty("last_run").GetProperty("passed").GetBoolean()));
    }

    [Fact]
    public async Task A_question_that_is_not_understood_fails_with_the_translations_reason()
    {
        var (source, _) = await JobsCopyAsync();
        using var admin = Admin();
        using (var saved = await admin.PostAsJsonAsync($"/api/datasources/{source}/tests", new
        {
            name = "gibberish", question = "zqxv blorf wibble?", expect = new { row_count = 1 },
        }))
        {
            var body = await saved.AssertOkAsync(HttpStatusCode.Created);
            Assert.Equal("zqxv blorf wibble?", body.GetProperty("question").GetString());
            Assert.Equal(JsonValueKind.Null, body.GetProperty("query").ValueKind);
        }
        var run = await RunAsync(admin, source);
        var result = Result(run, "gibberish");
        Assert.False(result.GetProperty("passed").GetBoolean());
        Assert.StartsWith("the question was not understood", Assert.Single(Failures(result)));
        Assert.Equal(JsonValueKind.Null, result.GetProperty("query").ValueKind);

        // Recording the current rows of a question nothing can be made of is refused.
        using var fromCurrent = await admin.PostAsJsonAsync($"/api/datasources/{source}/tests", new
        {
            name = "gibberish-2", question = "zqxv blorf wibble?", expect_from_current = true,
        });
        var error = await fromCurrent.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal("question", error.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Tests_are_admin_only_named_once_deleted_by_name_and_go_with_their_source()
    {
        var (source, file) = await JobsCopyAsync();
        using var admin = Admin();
        var body = new { name = "count-all", query = new { table = "jobs", fields = new[] { "job_id" }, limit = 1 }, expect = new { row_count = 1 } };
        using (var saved = await admin.PostAsJsonAsync($"/api/datasources/{source}/tests", body))
        {
            await saved.AssertOkAsync(HttpStatusCode.Created);
        }
        using (var twice = await admin.PostAsJsonAsync($"/api/datasources/{source}/tests", body))
        {
            Assert.Equal("name", (await twice.AssertErrorAsync(HttpStatusCode.Conflict, "conflict")).GetProperty("field").GetString());
        }

        var (_, apiKey) = await gateway.CreateKeyAsync(new { owner = "test-peeker", permissions = new[] { "read", "execute" } });
        using var reader = gateway.CreateClient(apiKey);
        using (var r = await reader.GetAsync($"/api/datasources/{source}/tests")) await r.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        using (var r = await reader.PostAsJsonAsync($"/api/datasources/{source}/tests", body)) await r.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        using (var r = await reader.PostAsync($"/api/datasources/{source}/tests/run", null)) await r.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        using (var r = await reader.DeleteAsync($"/api/datasources/{source}/tests/count-all")) await r.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");

        using (var r = await admin.PostAsync($"/api/datasources/{source}/tests/run?name=nope", null)) await r.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        using (var r = await admin.PostAsync($"/api/datasources/{source}/tests/run?name=Bad%20Name", null)) await r.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        using (var r = await admin.GetAsync("/api/datasources/no_such_source/tests")) await r.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        using (var r = await admin.PostAsync("/api/datasources/no_such_source/tests/run", null)) await r.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        using (var r = await admin.PostAsJsonAsync("/api/datasources/no_such_source/tests", body)) await r.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");

        using (var deleted = await admin.DeleteAsync($"/api/datasources/{source}/tests/count-all"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        using (var again = await admin.DeleteAsync($"/api/datasources/{source}/tests/count-all"))
        {
            await again.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }

        using (var saved = await admin.PostAsJsonAsync($"/api/datasources/{source}/tests", body))
        {
            await saved.AssertOkAsync(HttpStatusCode.Created);
        }
        using (var deleted = await admin.DeleteAsync($"/api/datasources/{source}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        using (var registered = await admin.PostAsJsonAsync("/api/datasources", new { name = source, type = "sqlite", config = new { path = file } }))
        {
            await registered.AssertOkAsync(HttpStatusCode.Created);
        }
        using var list = await admin.GetAsync($"/api/datasources/{source}/tests");
        Assert.Empty((await list.AssertOkAsync()).GetProperty("tests").EnumerateArray());
    }

    public static TheoryData<string, string?> BadBodies => new()
    {
        { "[]", null },
        { """{"query": {"table": "jobs"}, "expect": {"row_count": 1}}""", "name" },
        { """{"name": "Bad Name", "query": {"table": "jobs"}, "expect": {"row_count": 1}}""", "name" },
        { """{"name": 5, "query": {"table": "jobs"}, "expect": {"row_count": 1}}""", "name" },
        { """{"name": "x", "query": {"table": "jobs"}, "expect": {"row_count": 1}, "extra": true}""", "extra" },
        { """{"name": "x", "question": "how many jobs?", "query": {"table": "jobs"}, "expect": {"row_count": 1}}""", "question" },
        { """{"name": "x", "expect": {"row_count": 1}}""", "question" },
        { """{"name": "x", "question": "", "expect": {"row_count": 1}}""", "question" },
        { """{"name": "x", "question": 12, "expect": {"row_count": 1}}""", "question" },
        { """{"name": "x", "query": "SELECT 1", "expect": {"row_count": 1}}""", "query" },
        { """{"name": "x", "query": {"source": "jobs_db", "table": "jobs"}, "expect": {"row_count": 1}}""", "query.source" },
        { """{"name": "x", "query": {"table": "jobs", "wat": 1}, "expect": {"row_count": 1}}""", "query" },
        { """{"name": "x", "query": {"table": "jobs", "filters": [{"field": "company"}]}, "expect": {"row_count": 1}}""", "query.filters[0]" },
        { """{"name": "x", "query": {"table": "jobs", "filters": [{"field": "company", "op": "like", "value": 1}]}, "expect": {"row_count": 1}}""", "query.filters[0].op" },
        { """{"name": "x", "query": {"table": "jobs"}}""", "expect" },
        { """{"name": "x", "query": {"table": "jobs"}, "expect": {}}""", "expect" },
        { """{"name": "x", "query": {"table": "jobs"}, "expect": {"row_count": -1}}""", "expect.row_count" },
        { """{"name": "x", "query": {"table": "jobs"}, "expect": {"row_count": "1"}}""", "expect.row_count" },
        { """{"name": "x", "query": {"table": "jobs"}, "expect": {"max_ms": 0}}""", "expect.max_ms" },
        { """{"name": "x", "query": {"table": "jobs"}, "expect": {"rows": [1, 2]}}""", "expect.rows" },
        { """{"name": "x", "query": {"table": "jobs"}, "expect": {"rows": {"a": 1}}}""", "expect.rows" },
        { """{"name": "x", "query": {"table": "jobs"}, "expect": {"count": 1}}""", "expect.count" },
        { """{"name": "x", "query": {"table": "jobs"}, "expect": {"row_count": 1}, "expect_from_current": true}""", "expect" },
        { """{"name": "x", "query": {"table": "jobs"}, "expect_from_current": "yes"}""", "expect_from_current" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_bodies_are_400s_naming_the_field(string json, string? field)
    {
        await gateway.EnsureSamplesAsync();
        using var admin = Admin();
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await admin.PostAsync("/api/datasources/jobs_db/tests", content);
        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        if (field is not null)
        {
            Assert.Equal(field, error.GetProperty("field").GetString());
        }
    }

    [Fact]
    public async Task A_long_question_a_body_that_is_not_json_and_another_content_type_are_refused()
    {
        await gateway.EnsureSamplesAsync();
        using var admin = Admin();
        using (var r = await admin.PostAsJsonAsync("/api/datasources/jobs_db/tests", new { name = "long", question = new string('q', 1001), expect = new { row_count = 1 } }))
        {
            Assert.Equal("question", (await r.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error")).GetProperty("field").GetString());
        }
        using (var content = new StringContent("{\"name\": ", System.Text.Encoding.UTF8, "application/json"))
        using (var r = await admin.PostAsync("/api/datasources/jobs_db/tests", content))
        {
            await r.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        }
        using (var content = new StringContent("name=x", System.Text.Encoding.UTF8, "text/plain"))
        using (var r = await admin.PostAsync("/api/datasources/jobs_db/tests", content))
        {
            await r.AssertErrorAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        }
    }
}
