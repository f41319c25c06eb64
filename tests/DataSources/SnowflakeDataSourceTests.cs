using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>
/// The Snowflake connector (SQL API v2 over HttpClient, key-pair JWT) against <see cref="SnowflakeWireServer"/>,
/// which checks the JWT against the registered public key and answers in the API's jsonv2 format.
/// </summary>
[Collection(DataCollection.Name)]
[Trait("Tier", "Api")]
public sealed class SnowflakeDataSourceTests(DataGateway gateway) : IAsyncLifetime
{
    private const int JobCount = 2500;
    private readonly RSA _key = RSA.Create(2048);
    private SnowflakeWireServer _snowflake = null!;

    public async Task InitializeAsync()
    {
        _snowflake = new SnowflakeWireServer("testorg-acct", "mcp_reader", _key, "ANALYTICS", "PUBLIC") { PartitionSize = 100 };
        var rows = new StringBuilder();
        for (var i = 1; i <= JobCount; i++)
        {
            rows.Append(CultureInfo.InvariantCulture, $"({i}, 'Job {i} {(i % 5 == 0 ? "Engineer" : "Analyst")}', 'Company {i % 7}', {40000 + i * 10.25m}, {(i % 2 == 0 ? 1 : 0)}, ")
                .Append(CultureInfo.InvariantCulture, $"'{new DateOnly(2026, 1, 1).AddDays(i % 300):yyyy-MM-dd}', '2026-02-01 {i % 24:00}:30:00', '{{\"level\": {i % 3}}}')")
                .Append(i == JobCount ? ";" : ",");
        }
        _snowflake.Seed($"""
            CREATE TABLE JOBS (JOB_ID NUMBER(38,0) NOT NULL, TITLE TEXT NOT NULL, COMPANY TEXT, SALARY NUMBER(10,2), REMOTE BOOLEAN,
                POSTED DATE, UPDATED_AT TIMESTAMP_NTZ, DETAILS VARIANT);
            INSERT INTO JOBS VALUES {rows}
            """);
        await _snowflake.StartAsync();
        await gateway.EnsureSamplesAsync();
    }

    public async Task DisposeAsync()
    {
        await _snowflake.DisposeAsync();
        _snowflake.Dispose();
        _key.Dispose();
    }

    private object Registration(string name, string? pem = null, string? password = null) => new
    {
        name,
        type = "snowflake",
        config = new Dictionary<string, object?>
        {
            ["account"] = "testorg-acct",
            ["user"] = "mcp_reader",
            ["private_key"] = pem ?? _key.ExportPkcs8PrivateKeyPem(),
            ["private_key_password"] = password,
            ["database"] = "ANALYTICS",
            ["schema"] = "PUBLIC",
            ["warehouse"] = "REPORTING_WH",
            ["role"] = "READER",
            ["base_url"] = _snowflake.BaseUri.ToString(),
        }.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value),
        default_access = "read",
        masks = new Dictionary<string, string> { ["JOBS.COMPANY"] = "hash" },
    };

    private static string Statement(RecordedRequest request) =>
        request.Body.Length > 0 && JsonDocument.Parse(request.Body).RootElement.TryGetProperty("statement", out var statement) ? statement.GetString()! : "";

    private async Task<string> RegisterAsync(string? pem = null, string? password = null, string expectedStatus = "active")
    {
        var name = $"snow_{Guid.NewGuid():N}"[..14];
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using var created = await admin.PostAsJsonAsync("/api/datasources", Registration(name, pem, password));
        var body = await created.AssertOkAsync(HttpStatusCode.Created);
        Assert.Equal(expectedStatus, body.GetProperty("status").GetString());
        Assert.Equal("********", body.GetProperty("config").GetProperty("private_key").GetString());
        Assert.DoesNotContain("PRIVATE KEY", body.GetRawText());
        return name;
    }

    [Fact]
    public async Task Snowflake_tables_are_discovered_and_queried_with_bindings_and_typed_values()
    {
        var name = await RegisterAsync();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var schema = await admin.GetFromJsonAsync<JsonElement>($"/api/datasources/{name}/schema");
        var columns = schema.GetProperty("tables").EnumerateArray().Single().GetProperty("columns").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("type").GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["JOB_ID"] = "integer", ["TITLE"] = "text", ["COMPANY"] = "text", ["SALARY"] = "decimal", ["REMOTE"] = "boolean",
            ["POSTED"] = "date", ["UPDATED_AT"] = "datetime", ["DETAILS"] = "json",
        }, columns);

        const string hostile = "Engineer' OR '1'='1";
        var answer = await gateway.QueryOkAsync(admin, new
        {
            source = name, table = "JOBS",
            filters = new object[]
            {
                new { field = "TITLE", op = "contains", value = "engineer" },
                new { field = "REMOTE", op = "eq", value = true },
                new { field = "POSTED", op = "gte", value = "2026-06-01" },
                new { field = "SALARY", op = "gt", value = 50000.5 },
                new { field = "COMPANY", op = "ne", value = hostile },
            },
            order_by = "-JOB_ID", limit = 5,
        });
        var expected = Enumerable.Range(1, JobCount)
            .Where(i => i % 5 == 0 && i % 2 == 0 && new DateOnly(2026, 1, 1).AddDays(i % 300) >= new DateOnly(2026, 6, 1) && 40000 + i * 10.25m > 50000.5m)
            .OrderByDescending(i => i).Take(5).ToArray();
        Assert.Equal(expected.Select(i => (long)i), DataGateway.Rows(answer).Select(r => r.GetProperty("JOB_ID").GetInt64()));
        var row = DataGateway.Rows(answer).First();
        var id = expected[0];
        Assert.Equal(40000 + id * 10.25m, row.GetProperty("SALARY").GetDecimal());
        Assert.True(row.GetProperty("REMOTE").GetBoolean());
        Assert.Equal(new DateOnly(2026, 1, 1).AddDays(id % 300).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), row.GetProperty("POSTED").GetString());
        Assert.Equal(new DateTimeOffset(2026, 2, 1, id % 24, 30, 0, TimeSpan.Zero), row.GetProperty("UPDATED_AT").GetDateTimeOffset());
        Assert.Equal(id % 3, row.GetProperty("DETAILS").GetProperty("level").GetInt32());
        Assert.Equal($"Company {id % 7}", row.GetProperty("COMPANY").GetString());

        // What went over the wire: a KEYPAIR_JWT bearer, placeholders in the statement, every value a binding.
        var sent = _snowflake.Requests.Last(r => r.Method == "POST" && Statement(r).Contains("TITLE", StringComparison.Ordinal));
        Assert.Equal("KEYPAIR_JWT", sent.Headers["X-Snowflake-Authorization-Token-Type"]);
        var body = JsonDocument.Parse(sent.Body).RootElement;
        var statement = body.GetProperty("statement").GetString()!;
        Assert.Contains("FROM \"ANALYTICS\".\"PUBLIC\".\"JOBS\"", statement);
        Assert.DoesNotContain("engineer", statement);
        Assert.DoesNotContain("OR '1'", statement);
        Assert.Equal(hostile, body.GetProperty("bindings").GetProperty("5").GetProperty("value").GetString());
        Assert.Equal("BOOLEAN", body.GetProperty("bindings").GetProperty("2").GetProperty("type").GetString());
        Assert.Equal("REPORTING_WH", body.GetProperty("warehouse").GetString());
        Assert.Equal("READER", body.GetProperty("role").GetString());

        // Masks apply to Snowflake sources like any other (admins excepted).
        var (_, apiKey) = await gateway.CreateKeyAsync(new { owner = "snow-reader", permissions = new[] { "read" } });
        using var reader = gateway.CreateClient(apiKey);
        var masked = DataGateway.Rows(await gateway.QueryOkAsync(reader, new { source = name, table = "JOBS", fields = new[] { "COMPANY" }, limit = 1 })).Single();
        Assert.Matches("^h_[0-9a-f]{32}$", masked.GetProperty("COMPANY").GetString()!);
    }

    [Fact]
    public async Task The_guides_schema_qualified_table_and_filters_object_find_the_rows()
    {
        var name = await RegisterAsync();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        // As the user guide writes it: table "SCHEMA.TABLE" (here PUBLIC.JOBS, or with the database in front), filters {field: value}.
        foreach (var table in new[] { "PUBLIC.JOBS", "ANALYTICS.PUBLIC.JOBS", "JOBS" })
        {
            var answer = await gateway.QueryOkAsync(admin, new { source = name, table, filters = new Dictionary<string, object> { ["JOB_ID"] = 10, ["REMOTE"] = true } });
            Assert.Equal("JOBS", answer.GetProperty("table").GetString());
            Assert.Equal(10, DataGateway.Rows(answer).Single().GetProperty("JOB_ID").GetInt64());
        }
        var shorthand = await gateway.QueryOkAsync(admin, new { source = name, query = new Dictionary<string, object> { ["TITLE"] = "Job 10 Engineer" } });
        Assert.Equal(10, DataGateway.Rows(shorthand).Single().GetProperty("JOB_ID").GetInt64());
        using var other = await admin.PostAsJsonAsync("/api/data/query", new { source = name, table = "MARKET_ANALYTICS.JOBS" });
        await other.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Large_results_are_read_from_every_partition_and_long_statements_are_polled()
    {
        var name = await RegisterAsync();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var before = _snowflake.Requests.Count(r => r.Path.Contains("partition=", StringComparison.Ordinal));
        var answer = await gateway.QueryOkAsync(admin, new { source = name, table = "JOBS", fields = new[] { "JOB_ID" }, order_by = "JOB_ID", limit = 1000, offset = 3 });
        Assert.Equal(Enumerable.Range(4, 1000).Select(i => (long)i), DataGateway.Rows(answer).Select(r => r.GetProperty("JOB_ID").GetInt64()));
        Assert.Equal(9, _snowflake.Requests.Count(r => r.Path.Contains("partition=", StringComparison.Ordinal)) - before);

        _snowflake.ExecutionTime = TimeSpan.FromMilliseconds(1200);
        // The wire server is this test's own, so changing its timing affects no other test.
        _snowflake.SynchronousWait = TimeSpan.FromMilliseconds(200);
        var polledBefore = _snowflake.Requests.Count(r => r.Method == "GET");
        var slow = await gateway.QueryOkAsync(admin, new { source = name, table = "JOBS", filters = new Dictionary<string, object> { ["JOB_ID"] = 42 }, limit = 1 });
        Assert.Equal(42, DataGateway.Rows(slow).Single().GetProperty("JOB_ID").GetInt64());
        Assert.True(_snowflake.Requests.Count(r => r.Method == "GET") - polledBefore >= 1);
    }

    [Fact]
    public async Task A_statement_past_the_timeout_is_cancelled_and_answered_504()
    {
        var name = await RegisterAsync();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        _snowflake.ExecutionTime = TimeSpan.FromSeconds(20);
        _snowflake.SynchronousWait = TimeSpan.FromMilliseconds(100);
        var started = DateTime.UtcNow;
        using var response = await admin.PostAsJsonAsync("/api/data/query", new { source = name, table = "JOBS", filters = new Dictionary<string, object> { ["JOB_ID"] = 7 }, limit = 1 });
        await response.AssertErrorAsync(HttpStatusCode.GatewayTimeout, "query_timeout");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
        // The statement carried the timeout to Snowflake, which enforces it too.
        var sent = _snowflake.Requests.Last(r => r.Method == "POST" && Statement(r).Contains("JOBS", StringComparison.Ordinal));
        Assert.Equal(5, JsonDocument.Parse(sent.Body).RootElement.GetProperty("timeout").GetInt32());
    }

    [Fact]
    public async Task Raw_sql_only_reads_and_sql_errors_are_the_callers()
    {
        var name = await RegisterAsync();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using (var ok = await admin.PostAsJsonAsync("/api/data/sql", new { source = name, sql = "SELECT COMPANY, count(*) AS N FROM JOBS GROUP BY COMPANY ORDER BY COMPANY" }))
        {
            var body = await ok.AssertOkAsync();
            Assert.Equal(7, body.GetProperty("row_count").GetInt32());
            Assert.Equal(JobCount, DataGateway.Rows(body).Sum(r => r.GetProperty("N").GetInt64()));
        }
        var posted = _snowflake.Requests.Count(r => r.Method == "POST");
        foreach (var sql in new[] { "DELETE FROM JOBS", "  update JOBS set TITLE = 'x'", "/* hi */ DROP TABLE JOBS", "CALL cleanup()" })
        {
            using var refused = await admin.PostAsJsonAsync("/api/data/sql", new { source = name, sql });
            await refused.AssertErrorAsync(HttpStatusCode.BadRequest, "sql_error");
        }
        Assert.Equal(posted, _snowflake.Requests.Count(r => r.Method == "POST"));
        using (var bad = await admin.PostAsJsonAsync("/api/data/sql", new { source = name, sql = "SELECT NOPE FROM JOBS" }))
        {
            var problem = await bad.AssertErrorAsync(HttpStatusCode.BadRequest, "sql_error");
            Assert.Contains("002003", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Keys_are_checked_an_encrypted_key_works_and_a_wrong_key_puts_the_source_in_error()
    {
        // An encrypted PKCS#8 key with its password (both stored encrypted).
        var encrypted = _key.ExportEncryptedPkcs8PrivateKeyPem("pem-password".AsSpan(),
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000));
        await RegisterAsync(encrypted, "pem-password");

        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using (var unreadable = await admin.PostAsJsonAsync("/api/datasources", Registration("snow_badpem", pem: "not a key")))
        {
            var problem = await unreadable.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
            Assert.Equal("config.private_key", problem.GetProperty("field").GetString());
        }

        using var stranger = RSA.Create(2048);
        var name = await RegisterAsync(stranger.ExportPkcs8PrivateKeyPem(), expectedStatus: "error");
        var status = await admin.GetFromJsonAsync<JsonElement>($"/api/datasources/{name}/status");
        Assert.Contains("credentials", status.GetProperty("last_error").GetString());
        using var refused = await admin.PostAsJsonAsync("/api/data/query", new { source = name, table = "JOBS" });
        await refused.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "data_source_unavailable");
    }
}
