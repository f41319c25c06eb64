using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.DataSources;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 15, item 3 for PostgreSQL: raw SQL is one statement that reads, in a READ ONLY transaction that is rolled
/// back, under the same result caps as SQLite. Connected as the superuser on purpose: the sandbox must hold even when
/// the operator's role is too strong (which the README tells them not to do).
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Tier", "System")]
public sealed class PostgresRawSqlSandboxTests(PostgresServer postgres) : IAsyncLifetime
{
    private readonly DataGateway _gateway = new(new Dictionary<string, string?> { ["DataSources:MaxResultBytes"] = (1024 * 1024).ToString() });
    private string _connectionString = "";
    private string _database = "";
    private string _source = "";

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync("sandbox", applySchema: false);
        _database = new Npgsql.NpgsqlConnectionStringBuilder(_connectionString).Database!;
        await PostgresServer.ExecuteAsync(_connectionString, "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT i, 'item ' || i FROM generate_series(1, 10) i;");
        await _gateway.EnsureSamplesAsync();
        _source = $"pg_{Guid.NewGuid():N}"[..12];
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        using var created = await admin.PostAsJsonAsync("/api/datasources", new
        {
            name = _source, type = "postgres",
            config = new { host = "127.0.0.1", port = postgres.Port, database = _database, username = "postgres" },
        });
        await created.AssertOkAsync(HttpStatusCode.Created);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<HttpClient> SqlClientAsync()
    {
        var (keyId, apiKey) = await _gateway.CreateKeyAsync(new { owner = "pg-analyst", permissions = new[] { "read" } });
        await _gateway.GrantAsync(_source, keyId, new { sql = true });
        return _gateway.CreateClient(apiKey);
    }

    [Fact]
    public async Task Writes_transaction_control_and_session_changes_are_refused()
    {
        using var client = await SqlClientAsync();
        foreach (var sql in new[]
        {
            "INSERT INTO items VALUES (99, 'x')", "CREATE TABLE pwned (x int)", "COMMIT", "ROLLBACK", "BEGIN", "SET statement_timeout = 0",
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "RESET ALL", "DISCARD ALL", "COPY items TO '/tmp/items.csv'",
            "DO $$ BEGIN CREATE TABLE pwned2 (x int); END $$", "LOCK TABLE items", "PREPARE p AS SELECT 1", "LISTEN x",
            "WITH d AS (DELETE FROM items RETURNING *) SELECT count(*) FROM d", "SELECT set_config('transaction_read_only', 'off', false)",
        })
        {
            using var response = await client.PostAsJsonAsync("/api/data/sql", new { source = _source, sql });
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "sql_error");
        }
        foreach (var sql in new[] { "SELECT 1; COMMIT", "SELECT 1; INSERT INTO items VALUES (98, 'y')" })
        {
            using var response = await client.PostAsJsonAsync("/api/data/sql", new { source = _source, sql });
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        Assert.Equal(10L, await PostgresServer.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM items"));
        Assert.Equal(0L, await PostgresServer.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'pwned%'"));
        using var ok = await client.PostAsJsonAsync("/api/data/sql", new { source = _source, sql = "SELECT count(*) AS n FROM items" });
        Assert.Equal(10, DataGateway.Rows(await ok.AssertOkAsync()).Single().GetProperty("n").GetInt64());
    }

    [Fact]
    public async Task Oversized_values_and_results_are_refused()
    {
        using var client = await SqlClientAsync();
        using (var value = await client.PostAsJsonAsync("/api/data/sql", new { source = _source, sql = "SELECT repeat('x', 2000000) AS big" }))
        {
            await value.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "result_too_large");
        }
        using (var result = await client.PostAsJsonAsync("/api/data/sql", new { source = _source, sql = "SELECT repeat('x', 100000) AS part FROM generate_series(1, 40)" }))
        {
            await result.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "result_too_large");
        }
        // The connection the refused reads used is back in the pool and works.
        using var ok = await client.PostAsJsonAsync("/api/data/sql", new { source = _source, sql = "SELECT name FROM items ORDER BY id LIMIT 1" });
        Assert.Equal("item 1", DataGateway.Rows(await ok.AssertOkAsync()).Single().GetProperty("name").GetString());
    }
}
