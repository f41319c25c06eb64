using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.DataSources;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Clients;

/// <summary>
/// The Python client library (<c>clients/python</c>, standard library only) run by python3 against the gateway on a
/// real port, the way a user runs it: on PYTHONPATH, nothing installed. The seeds' snippets run as written, only the
/// key substituted (the address comes from <c>MCP_BASE_URL</c>, which the client reads when none is passed).
/// </summary>
[Trait("Tier", "System")]
public sealed class PythonClientTests(PythonClientGateway fixture) : IClassFixture<PythonClientGateway>
{
    private static readonly string ClientRoot = Path.Combine(CommandLine.RepositoryRoot, "clients", "python");
    private static readonly string Snippets = Path.Combine(CommandLine.RepositoryRoot, "tests", "Clients", "python");

    private DataGateway Gateway => fixture.Gateway;

    /// <summary>
    /// Seed 002's "Query Example": a plain-language question, then raw SQL, with a key that may read the samples and
    /// has a raw-SQL grant on jobs_db (raw SQL needs one, or an admin key).
    /// </summary>
    [Fact]
    public async Task The_seed_query_example_asks_for_todays_active_jobs_and_runs_its_sql_as_written()
    {
        var key = await SqlKeyAsync("py-seed-002");
        var run = await RunSnippetAsync("seed_002_query_example.py", key);

        var results = Results(run, 2);
        var asked = results[0];
        Assert.Equal("Show me active jobs for today", asked.GetProperty("question").GetString());
        Assert.Equal("jobs_db", asked.GetProperty("source").GetString());
        var rows = DataGateway.Rows(asked).ToArray();
        Assert.NotEmpty(rows);
        var today = DateTime.UtcNow.Date;
        foreach (var row in rows)
        {
            Assert.Equal("active", row.GetProperty("status").GetString());
            var posted = row.GetProperty("posted_date").GetDateTimeOffset().UtcDateTime.Date;
            // "today" by the source's clock; a run that crosses midnight may see yesterday's.
            Assert.True(posted == today || (posted == today.AddDays(-1) && DateTime.UtcNow - today < TimeSpan.FromMinutes(5)), $"posted {posted:yyyy-MM-dd}, today {today:yyyy-MM-dd}");
        }

        var sql = results[1];
        Assert.Equal("jobs_db", sql.GetProperty("source").GetString());
        var active = DataGateway.Rows(sql).ToArray();
        Assert.NotEmpty(active);
        Assert.All(active, row => Assert.Equal("active", row.GetProperty("status").GetString()));
        var expected = DataGateway.ReadDirect(Gateway.JobsFile, "SELECT count(*) FROM jobs WHERE status = 'active'").Single()[0];
        Assert.Equal(Math.Min(Convert.ToInt32(expected, CultureInfo.InvariantCulture), 50), active.Length); // DataGateway's MaxSqlRows is 50
    }

    /// <summary>The seed's client on the endpoints as they are without plain-language questions: raw SQL with a source.</summary>
    [Fact]
    public async Task The_seed_client_runs_sql_with_a_source_and_structured_queries_on_the_sample_columns()
    {
        var key = await SqlKeyAsync("py-existing");
        var results = Results(await RunSnippetAsync("existing_endpoints.py", key), 3);

        var expected = DataGateway.ReadDirect(Gateway.JobsFile, "SELECT job_id FROM jobs WHERE title = 'Software Engineer' ORDER BY job_id")
            .Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).ToArray();
        Assert.NotEmpty(expected);
        var sql = results[0];
        Assert.Equal(expected, DataGateway.Rows(sql).Select(r => r.GetProperty("job_id").GetInt64()));
        Assert.Equal(["job_id", "title", "location"], sql.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));

        var austin = DataGateway.Rows(results[1]).ToArray();
        Assert.NotEmpty(austin);
        Assert.All(austin, r => Assert.Equal("Austin, TX", r.GetProperty("location").GetString()));
        Assert.Equal("jobs", results[1].GetProperty("table").GetString());

        var sources = results[2].GetProperty("data_sources").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToArray();
        Assert.Contains("jobs_db", sources);
        Assert.Contains("snowflake", sources);
    }

    /// <summary>
    /// The user guide's JobMarketPredictor, its class text unchanged: its two data_client.query calls read jobs_db (the
    /// guide's query with "last_6m") and the Snowflake source's MARKET_ANALYTICS.JOB_TRENDS (the guide's filters
    /// dict), and its predict method returns what the stand-in model made of them.
    /// </summary>
    [Fact]
    public async Task The_guides_job_market_predictor_reads_jobs_db_and_snowflake_through_the_data_client()
    {
        var (_, key) = await Gateway.CreateKeyAsync(new { owner = "py-guide", permissions = new[] { "read" } });
        var results = Results(await RunSnippetAsync("guide_job_market_predictor.py", key, "job_market_driver.py"), 3);

        var jobs = results[0];
        Assert.Equal("jobs_db", jobs.GetProperty("source").GetString());
        var jobRows = DataGateway.Rows(jobs).ToArray();
        var expected = DataGateway.ReadDirect(Gateway.JobsFile,
            "SELECT count(*) FROM jobs WHERE title = 'Software Engineer' AND location = 'Austin, TX'").Single()[0];
        Assert.InRange(jobRows.Length, 1, Convert.ToInt32(expected, CultureInfo.InvariantCulture));
        foreach (var row in jobRows)
        {
            Assert.Equal("Software Engineer", row.GetProperty("title").GetString());
            Assert.Equal("Austin, TX", row.GetProperty("location").GetString());
            Assert.InRange(row.GetProperty("posted_date").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMonths(-6).AddDays(-1), DateTimeOffset.UtcNow);
        }

        var trends = results[1];
        Assert.Equal("snowflake", trends.GetProperty("source").GetString());
        Assert.Equal("JOB_TRENDS", trends.GetProperty("table").GetString());
        var trend = Assert.Single(DataGateway.Rows(trends));
        var seeded = PythonClientGateway.Trends.Single(t => t is { Category: "Software Engineer", Region: "Austin, TX", Period: "6m" });
        Assert.Equal(seeded.Salary, trend.GetProperty("median_salary").GetDecimal());
        Assert.Equal(seeded.Postings, trend.GetProperty("postings").GetInt32());

        var prediction = results[2];
        Assert.Equal("high", prediction.GetProperty("market_demand").GetString());
        Assert.Equal(150000, prediction.GetProperty("predicted_salary_range").GetProperty("max").GetInt32());
    }

    [Fact]
    public async Task Errors_are_typed_carry_the_gateways_code_and_field_and_never_show_the_key()
    {
        var (_, key) = await Gateway.CreateKeyAsync(new { owner = "py-errors" });
        var wrongKey = "mcp_zzzzzzzzzzzzzzzz_" + new string('y', 52);
        var report = await RunChecksAsync("errors", key, wrongKey);
        var errors = report.GetProperty("errors");

        AssertError(errors.GetProperty("wrong_key"), "AuthenticationError", 401, "invalid_api_key");
        AssertError(errors.GetProperty("forbidden"), "PermissionDeniedError", 403, "forbidden");
        AssertError(errors.GetProperty("not_found"), "NotFoundError", 404, "not_found");
        var validation = AssertError(errors.GetProperty("validation"), "ValidationError", 400, "validation_error");
        Assert.Equal("limit", validation.GetProperty("field").GetString());
        Assert.Contains("(field: limit)", validation.GetProperty("str").GetString());
        var connection = AssertError(errors.GetProperty("connection"), "ConnectionError", null, null);
        Assert.True(connection.GetProperty("is_builtin_connection_error").GetBoolean());

        foreach (var error in errors.EnumerateObject())
        {
            foreach (var secret in new[] { key, wrongKey })
            {
                Assert.DoesNotContain(secret, error.Value.GetProperty("str").GetString());
                Assert.DoesNotContain(secret, error.Value.GetProperty("repr").GetString());
            }
        }
    }

    /// <summary>
    /// A key limited to 2 requests a second: six calls in a row all succeed because each 429 is waited out as its
    /// Retry-After says, and with retries off the 429 is raised as RateLimitError carrying retry_after and reset_time.
    /// </summary>
    [Fact]
    public async Task Rate_limited_calls_wait_out_retry_after_and_raise_rate_limit_error_when_retries_are_spent()
    {
        var (_, key) = await Gateway.CreateKeyAsync(new { owner = "py-plain" });
        var (_, limited) = await Gateway.CreateKeyAsync(new { owner = "py-limited", rate_limit = "2/second" });
        var report = await RunChecksAsync("rate_limit", key, extra: new Dictionary<string, string> { ["LIMITED_KEY"] = limited });

        var retried = report.GetProperty("rate_limit_retried");
        Assert.Equal(6, retried.GetProperty("ok").GetInt32());
        var retries = retried.GetProperty("retries_logged").EnumerateArray().Select(m => m.GetString()!).ToArray();
        // Six calls at two a second cross at least two windows, so at least two 429s were waited out.
        Assert.True(retries.Length >= 2, string.Join("\n", retries));
        Assert.All(retries, m => Assert.Matches(@"^GET /api/datasources answered 429 rate_limit_exceeded; retrying in [\d.]+ s \(retry \d of 3\)$", m));
        Assert.All(retries, m => Assert.DoesNotContain(limited, m));
        Assert.True(retried.GetProperty("elapsed").GetDouble() >= 1.0);

        var exhausted = AssertError(report.GetProperty("rate_limit_exhausted"), "RateLimitError", 429, "rate_limit_exceeded");
        Assert.InRange(exhausted.GetProperty("retry_after").GetDouble(), 0, 1);
        var reset = DateTimeOffset.FromUnixTimeSeconds(exhausted.GetProperty("reset_time").GetInt64());
        Assert.InRange(reset, DateTimeOffset.UtcNow.AddSeconds(-30), DateTimeOffset.UtcNow.AddSeconds(2));
        Assert.DoesNotContain(limited, exhausted.GetProperty("str").GetString());
    }

    [Fact]
    public async Task The_sync_twins_answer_like_the_async_clients()
    {
        var (_, key) = await Gateway.CreateKeyAsync(new { owner = "py-sync", permissions = new[] { "read" } });
        var sync = (await RunChecksAsync("sync", key)).GetProperty("sync");
        Assert.True(sync.GetProperty("row_count").GetInt32() > 0);
        Assert.All(sync.GetProperty("rows").EnumerateArray(), r => Assert.Equal("Software Engineer", r.GetProperty("title").GetString()));
        Assert.Equal(["jobs"], sync.GetProperty("tables").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains("snowflake", sync.GetProperty("sources").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Ten_concurrent_awaits_all_answer_while_the_event_loop_keeps_running()
    {
        var (_, key) = await Gateway.CreateKeyAsync(new { owner = "py-concurrent", permissions = new[] { "read" } });
        var concurrent = (await RunChecksAsync("concurrent", key)).GetProperty("concurrent");
        var engineers = DataGateway.ReadDirect(Gateway.JobsFile, "SELECT count(*) FROM jobs WHERE title = 'Software Engineer'").Single()[0];
        var available = Convert.ToInt32(engineers, CultureInfo.InvariantCulture);
        // Each of the ten asked for a different limit (1..10), so every answer is its own request's.
        Assert.Equal(Enumerable.Range(1, 10), concurrent.GetProperty("limits").EnumerateArray().Select(l => l.GetInt32()));
        Assert.Equal(Enumerable.Range(1, 10).Select(limit => Math.Min(limit, available)),
            concurrent.GetProperty("row_counts").EnumerateArray().Select(c => c.GetInt32()));
        // The loop ticked (every 5 ms) while the requests were out, with no stall as long as a request takes.
        Assert.True(concurrent.GetProperty("ticks").GetInt32() > 0);
        Assert.True(concurrent.GetProperty("max_gap").GetDouble() < Math.Max(0.5, concurrent.GetProperty("elapsed").GetDouble() / 2),
            concurrent.GetRawText());
    }

    /// <summary>The client's own unit tests (python's unittest against a scripted server on 127.0.0.1).</summary>
    [Fact]
    public async Task The_python_unit_tests_of_the_client_pass()
    {
        var (exit, stdout, stderr) = await CommandLine.RunAsync("python3",
            ["-m", "unittest", "discover", "-s", Path.Combine(ClientRoot, "tests"), "-t", Path.Combine(ClientRoot, "tests"), "-v"],
            TimeSpan.FromMinutes(2), ClientRoot, PythonEnvironment(new Dictionary<string, string>()));
        Assert.True(exit == 0, $"python3 -m unittest exited {exit}:\n{stderr}\n{stdout}");
        Assert.Matches(@"Ran \d{2,} tests", stderr);
        Assert.Contains("\nOK", stderr);
    }

    private async Task<string> SqlKeyAsync(string owner)
    {
        var (keyId, key) = await Gateway.CreateKeyAsync(new { owner, permissions = new[] { "read" } });
        using var admin = Gateway.CreateClient(GatewayFactory.AdminKey);
        using var granted = await admin.PutAsJsonAsync($"/api/datasources/jobs_db/grants/{keyId}", new { sql = true });
        await granted.AssertOkAsync();
        return key;
    }

    private static JsonElement AssertError(JsonElement error, string type, int? status, string? code)
    {
        Assert.True(error.ValueKind == JsonValueKind.Object, $"expected {type}, nothing was raised");
        Assert.True(type == error.GetProperty("type").GetString(), error.GetRawText());
        Assert.True(error.GetProperty("is_mcp_error").GetBoolean());
        if (status is null)
        {
            Assert.Equal(JsonValueKind.Null, error.GetProperty("status").ValueKind);
        }
        else
        {
            Assert.Equal(status, error.GetProperty("status").GetInt32());
        }
        Assert.Equal(code, error.GetProperty("error").GetString());
        return error;
    }

    private static JsonElement[] Results(JsonElement run, int count)
    {
        Assert.True(run.GetProperty("error").ValueKind == JsonValueKind.Null, run.GetProperty("error").GetRawText());
        var results = run.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(count, results.Length);
        return results;
    }

    /// <summary>Copies the snippet with only "your_api_key" replaced and runs it (then any drivers) with run_snippet.py.</summary>
    private async Task<JsonElement> RunSnippetAsync(string snippet, string key, params string[] drivers)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(Snippets, snippet));
        Assert.Contains("\"your_api_key\"", text);
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, snippet);
        await File.WriteAllTextAsync(path, text.Replace("your_api_key", key, StringComparison.Ordinal));
        var arguments = new List<string> { Path.Combine(Snippets, "run_snippet.py"), path };
        arguments.AddRange(drivers.Select(d => Path.Combine(Snippets, d)));
        var (exit, stdout, stderr) = await CommandLine.RunAsync("python3", arguments, TimeSpan.FromMinutes(2), directory.Path,
            PythonEnvironment(new Dictionary<string, string> { ["MCP_BASE_URL"] = fixture.BaseUrl }));
        Assert.False(string.IsNullOrWhiteSpace(stdout), $"run_snippet.py {snippet} exited {exit} without a report:\n{stderr}");
        var run = JsonDocument.Parse(stdout).RootElement.Clone();
        Assert.True(exit == 0 || run.GetProperty("error").ValueKind != JsonValueKind.Null, $"exit {exit}:\n{stderr}");
        Assert.DoesNotContain(key, stderr);
        return run;
    }

    private async Task<JsonElement> RunChecksAsync(string section, string key, string? wrongKey = null, IDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["MCP_BASE_URL"] = fixture.BaseUrl,
            ["MCP_API_KEY"] = key,
            ["WRONG_KEY"] = wrongKey ?? "mcp_unused",
            ["CLOSED_URL"] = $"http://127.0.0.1:{FreePort.Next()}",
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }
        var (exit, stdout, stderr) = await CommandLine.RunAsync("python3", [Path.Combine(Snippets, "client_checks.py"), section],
            TimeSpan.FromMinutes(2), Snippets, PythonEnvironment(environment));
        Assert.True(exit == 0, $"client_checks.py {section} exited {exit}:\n{stderr}\n{stdout}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    /// <summary>The library from the checkout (nothing installed), in front of whatever PYTHONPATH tests/run set up; no bytecode written into the repository.</summary>
    private static Dictionary<string, string> PythonEnvironment(Dictionary<string, string> environment)
    {
        var inherited = Environment.GetEnvironmentVariable("PYTHONPATH");
        environment["PYTHONPATH"] = string.IsNullOrEmpty(inherited) ? ClientRoot : ClientRoot + Path.PathSeparator + inherited;
        environment["PYTHONDONTWRITEBYTECODE"] = "1";
        // urllib honours proxy variables; the gateway is on loopback and must be reached directly.
        environment["NO_PROXY"] = environment["no_proxy"] = "127.0.0.1,localhost";
        environment.TryAdd("MCP_API_KEY", "");
        return environment;
    }
}
