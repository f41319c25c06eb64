using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.DataSources;
using Mcp.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mcp.Cluster.Tests.Security;

/// <summary>A data gateway whose raw SQL results may take at most 256 KiB, so the byte cap is easy to reach.</summary>
public sealed class SandboxGateway() : DataGateway(new Dictionary<string, string?> { ["DataSources:MaxResultBytes"] = (256 * 1024).ToString() });

/// <summary>One sandbox gateway for the raw-SQL sandbox classes: each registers its own keys and grants.</summary>
[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxGateway>
{
    public const string Name = "sqlite-sandbox";
}

/// <summary>
/// Issue 15, item 3: with a <c>"sql": true</c> grant on the SQLite sample jobs_db, raw SQL reads jobs_db's own tables
/// and nothing else: no ATTACH of the node's state or of another source, no VACUUM INTO, no transactions, no PRAGMA,
/// no oversized values or results, and nothing a structured query would hide.
/// </summary>
[Collection(SandboxCollection.Name)]
[Trait("Tier", "Api")]
public sealed class RawSqlSandboxTests(SandboxGateway gateway, ITestOutputHelper output) : IAsyncLifetime
{
    public Task InitializeAsync() => gateway.EnsureSamplesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A non-admin key with raw SQL on jobs_db.</summary>
    private async Task<HttpClient> SqlClientAsync(string source = "jobs_db")
    {
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = $"sql-{Guid.NewGuid():N}"[..16], permissions = new[] { "read" } });
        await gateway.GrantAsync(source, keyId, new { sql = true });
        return gateway.CreateClient(apiKey);
    }

    private static Task<HttpResponseMessage> SqlAsync(HttpClient client, string sql, string source = "jobs_db") =>
        client.PostAsJsonAsync("/api/data/sql", new { source, sql });

    private static async Task<string> RefusedAsync(HttpClient client, string sql, string source = "jobs_db")
    {
        using var response = await SqlAsync(client, sql, source);
        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "sql_error");
        return body.GetProperty("detail").GetString()!;
    }

    [Theory]
    [InlineData("grains.db", "SELECT * FROM g.grain_state")]
    [InlineData("audit.db", "SELECT * FROM g.sqlite_master")]
    [InlineData("samples/homebuilders.db", "SELECT contact_email, phone FROM g.builders")]
    public async Task Attaching_another_database_is_refused_and_leaves_nothing_attached(string file, string read)
    {
        using var client = await SqlClientAsync();
        var path = Path.Combine(gateway.DataDirectory, file);
        Assert.True(File.Exists(path), $"{path} should exist");
        Assert.Contains("ATTACH", await RefusedAsync(client, $"ATTACH DATABASE '{path}' AS g"));
        // Every read runs on a connection of its own; nothing an earlier statement did is still there.
        for (var i = 0; i < 3; i++)
        {
            await RefusedAsync(client, read);
        }
        // Nor can a read name another database file or list the attached ones.
        await RefusedAsync(client, "SELECT file FROM pragma_database_list");
    }

    [Fact]
    public async Task Vacuum_into_is_refused_and_writes_no_file()
    {
        using var client = await SqlClientAsync();
        var target = Path.Combine(Path.GetTempPath(), $"stolen-{Guid.NewGuid():N}.db");
        try
        {
            await RefusedAsync(client, $"VACUUM INTO '{target}'");
            await RefusedAsync(client, $"VACUUM");
            Assert.False(File.Exists(target), "VACUUM INTO wrote the file");
        }
        finally
        {
            File.Delete(target);
        }
    }

    [Theory]
    [InlineData("BEGIN")]
    [InlineData("BEGIN IMMEDIATE")]
    [InlineData("COMMIT")]
    [InlineData("SAVEPOINT a")]
    [InlineData("RELEASE a")]
    [InlineData("PRAGMA writable_schema")]
    [InlineData("PRAGMA writable_schema = 1")]
    [InlineData("PRAGMA query_only = 0")]
    [InlineData("SELECT * FROM pragma_database_list")]
    [InlineData("DETACH DATABASE main")]
    [InlineData("CREATE TEMP TABLE t (x)")]
    [InlineData("CREATE TEMP VIEW v AS SELECT 1")]
    [InlineData("DELETE FROM jobs")]
    [InlineData("SELECT load_extension('/tmp/x')")]
    [InlineData("SELECT fts3_tokenizer('simple')")]
    [InlineData("ANALYZE")]
    [InlineData("REINDEX")]
    public async Task Statements_that_are_not_plain_reads_are_refused(string sql)
    {
        using var client = await SqlClientAsync();
        await RefusedAsync(client, sql);
    }

    [Fact]
    public async Task Reads_of_the_sources_own_tables_still_work()
    {
        using var client = await SqlClientAsync();
        using (var response = await SqlAsync(client, "SELECT count(*) AS n FROM jobs"))
        {
            Assert.Equal(240, DataGateway.Rows(await response.AssertOkAsync()).Single().GetProperty("n").GetInt64());
        }
        using (var response = await SqlAsync(client,
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3) SELECT x, (SELECT title FROM jobs WHERE job_id = x) AS t FROM n"))
        {
            Assert.Equal(3, DataGateway.Rows(await response.AssertOkAsync()).Count());
        }
        using (var response = await SqlAsync(client, "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5) SELECT count(*) AS c FROM n"))
        {
            Assert.Equal(5, DataGateway.Rows(await response.AssertOkAsync()).Single().GetProperty("c").GetInt64());
        }
        using (var response = await SqlAsync(client, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))
        {
            Assert.Contains("jobs", DataGateway.Rows(await response.AssertOkAsync()).Select(r => r.GetProperty("name").GetString()));
        }
        using (var response = await SqlAsync(client, "SELECT length(zeroblob(1000)) AS n, upper('a') AS u, value FROM json_each('[1]')"))
        {
            Assert.Equal(1000, DataGateway.Rows(await response.AssertOkAsync()).Single().GetProperty("n").GetInt64());
        }
    }

    [Theory]
    [InlineData("SELECT zeroblob(1000000000) AS b")]
    [InlineData("SELECT randomblob(500000000) AS b")]
    [InlineData("SELECT printf('%.*c', 1000000000, 'x') AS s")]
    public async Task An_oversized_value_is_refused_at_once_without_being_allocated(string sql)
    {
        using var client = await SqlClientAsync();
        GC.Collect();
        var before = Process.GetCurrentProcess().WorkingSet64;
        var clock = Stopwatch.StartNew();
        using (var response = await SqlAsync(client, sql))
        {
            var body = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "result_too_large");
            Assert.Contains("1048576 bytes", body.GetProperty("detail").GetString());
        }
        clock.Stop();
        var grown = Process.GetCurrentProcess().WorkingSet64 - before;
        output.WriteLine($"{sql}: answered in {clock.ElapsedMilliseconds} ms; working set grew by {grown / (1024 * 1024)} MiB");
        // Before the sandbox: 503 after the query timeout, with the gateway holding about 1.9 GB.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.True(grown < 200L * 1024 * 1024, $"the working set grew by {grown} bytes");
    }

    [Fact]
    public async Task A_result_over_the_byte_cap_is_refused_while_it_streams()
    {
        using var client = await SqlClientAsync();
        // 50 rows (this gateway's row cap) of 20 KB each: 1 MB, four times the 256 KiB this gateway allows.
        using (var response = await SqlAsync(client,
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000) SELECT x, hex(randomblob(10000)) AS h FROM n"))
        {
            var body = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "result_too_large");
            Assert.Contains("262144 bytes", body.GetProperty("detail").GetString());
        }
        // Under the cap the same shape is answered, and the row cap still cuts (not refuses) long results.
        using (var response = await SqlAsync(client,
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000) SELECT x, hex(randomblob(100)) AS h FROM n"))
        {
            var body = await response.AssertOkAsync();
            Assert.Equal(50, body.GetProperty("row_count").GetInt32());
            Assert.True(body.GetProperty("truncated").GetBoolean());
        }
    }

    [Fact]
    public async Task Masked_columns_cannot_be_read_through_raw_sql()
    {
        // homebuilders_db masks builders.contact_email and builders.phone: raw SQL on it is refused outright,
        // even with a "sql": true grant, and jobs_db cannot attach it.
        using var client = await SqlClientAsync("homebuilders_db");
        using (var response = await SqlAsync(client, "SELECT contact_email, phone FROM builders", "homebuilders_db"))
        {
            var body = await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
            Assert.False(body.TryGetProperty("rows", out _));
        }
        using var jobs = await SqlClientAsync();
        var file = Path.Combine(gateway.DataDirectory, "samples", "homebuilders.db");
        await RefusedAsync(jobs, $"ATTACH DATABASE '{file}' AS h");
        await RefusedAsync(jobs, "SELECT contact_email FROM h.builders");
        using var structured = await jobs.PostAsJsonAsync("/api/data/query", new { source = "homebuilders_db", table = "builders", fields = new[] { "contact_email" }, limit = 1 });
        var masked = DataGateway.Rows(await structured.AssertOkAsync()).Single().GetProperty("contact_email").GetString()!;
        Assert.Contains("*", masked);
    }
}
