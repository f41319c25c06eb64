using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.DataSources;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 15 retest, F2: text our single-statement scan reads as one statement but PostgreSQL reads as several
/// (an identifier ending in e/E before a quote, a $tag$ inside an identifier). The second command was a COMMIT that
/// ended the READ ONLY transaction, so the DELETE after it was committed. The server alone must decide: the statement
/// goes in one Parse message, which PostgreSQL refuses when it holds several commands. Connected as the superuser, so
/// a DELETE that ran would succeed.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Tier", "System")]
public sealed class PostgresStatementSplittingTests(PostgresServer postgres) : IAsyncLifetime
{
    private readonly DataGateway _gateway = new();
    private string _connectionString = "";
    private string _source = "";

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync("splitting", applySchema: false);
        var database = new Npgsql.NpgsqlConnectionStringBuilder(_connectionString).Database!;
        await PostgresServer.ExecuteAsync(_connectionString,
            "CREATE TABLE orders (id int PRIMARY KEY, name text); INSERT INTO orders SELECT i, 'order ' || i FROM generate_series(1, 5) i;");
        await _gateway.EnsureSamplesAsync();
        _source = $"pg_{Guid.NewGuid():N}"[..12];
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        using var created = await admin.PostAsJsonAsync("/api/datasources", new
        {
            name = _source, type = "postgres",
            config = new { host = "127.0.0.1", port = postgres.Port, database, username = "postgres" },
        });
        await created.AssertOkAsync(HttpStatusCode.Created);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<HttpClient> SqlClientAsync()
    {
        var (keyId, apiKey) = await _gateway.CreateKeyAsync(new { owner = $"pg-{Guid.NewGuid():N}"[..12], permissions = new[] { "read" } });
        await _gateway.GrantAsync(_source, keyId, new { sql = true });
        return _gateway.CreateClient(apiKey);
    }

    [Theory]
    [InlineData(@"select name'a\'; commit; delete from orders where id=1; --'")]
    [InlineData(@"select 1 as a$b$; commit; delete from orders where id=2; --$b$")]
    public async Task A_second_command_hidden_from_our_scan_is_refused_by_the_server_and_deletes_nothing(string sql)
    {
        using var client = await SqlClientAsync();
        using var response = await client.PostAsJsonAsync("/api/data/sql", new { source = _source, sql });
        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal("sql", body.GetProperty("field").GetString());
        Assert.Equal(5L, await PostgresServer.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM orders"));
    }

    [Fact]
    public async Task A_hidden_commit_cannot_escape_the_statement_timeout()
    {
        using var client = await SqlClientAsync();
        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsJsonAsync("/api/data/sql",
            new { source = _source, sql = @"select name'a\'; commit; select pg_sleep(20); --'" });
        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        // Refused when parsed, before anything sleeps (the gateway's query timeout here is 5 s).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
        // Nothing of it is still running on the server either.
        Assert.Equal(0L, await PostgresServer.ScalarAsync<long>(postgres.AdminConnectionString,
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(20)%' AND pid <> pg_backend_pid()"));
    }

    [Fact]
    public async Task Single_statements_with_quotes_comments_and_dollar_quotes_still_run()
    {
        using var client = await SqlClientAsync();
        foreach (var sql in new[]
        {
            "SELECT count(*) AS n FROM orders;", "SELECT count(*) AS n FROM orders -- one; two",
            "SELECT count(*) AS n FROM orders WHERE name <> $x$;$x$", "SELECT count(*) AS n FROM orders WHERE name <> E'\\';'",
        })
        {
            using var ok = await client.PostAsJsonAsync("/api/data/sql", new { source = _source, sql });
            Assert.Equal(5, DataGateway.Rows(await ok.AssertOkAsync()).Single().GetProperty("n").GetInt64());
        }
    }
}
