using Mcp.Cluster.Hosting.Postgres;
using Mcp.Cluster.Tests.Infrastructure;
using Npgsql;

namespace Mcp.Cluster.Tests.Cluster;

[Collection(PostgresCollection.Name)]
[Trait("Tier", "System")]
public sealed class PostgresSchemaTests(PostgresServer postgres)
{
    [Fact]
    public async Task Applying_the_schema_again_keeps_the_data_and_one_query_per_key()
    {
        var connectionString = await postgres.CreateDatabaseAsync("schema_twice");
        await PostgresServer.ExecuteAsync(connectionString,
            "INSERT INTO mcp_grain_state (service_id, grain_type, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_ext, payload, version) " +
            "VALUES ('svc', 'apikey', 1, 2, 0, 0, 'key_a', '\\x01'::bytea, 7)");
        await PostgresServer.ExecuteAsync(connectionString, "UPDATE orleansquery SET querytext = 'stale' WHERE querykey = 'ReadFromStorageKey'");

        await postgres.ApplySchemaAsync(new NpgsqlConnectionStringBuilder(connectionString).Database!);

        Assert.Equal(7, await PostgresServer.ScalarAsync<int>(connectionString, "SELECT version FROM mcp_grain_state WHERE grain_id_ext = 'key_a'"));
        Assert.Equal(PostgresSchema.QueryKeys.Count, (int)await PostgresServer.ScalarAsync<long>(connectionString, "SELECT count(*) FROM orleansquery"));
        Assert.Contains("mcp_grain_state", await PostgresServer.ScalarAsync<string>(connectionString, "SELECT querytext FROM orleansquery WHERE querykey = 'ReadFromStorageKey'"));
        await PostgresSchema.EnsureAppliedAsync(connectionString, CancellationToken.None);
    }

    [Fact]
    public async Task The_startup_check_names_the_script_when_the_database_is_empty()
    {
        // Trust authentication ignores the password; it is there to show it never reaches the message.
        var connectionString = await postgres.CreateDatabaseAsync("schema_empty", applySchema: false) + ";Password=s3cret-pw";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.EnsureAppliedAsync(connectionString, CancellationToken.None));

        Assert.Contains("has no MCP Cluster schema", error.Message);
        Assert.Contains("deploy/postgres/schema.sql", error.Message);
        Assert.Contains($"127.0.0.1:{postgres.Port}", error.Message);
        Assert.DoesNotContain("s3cret-pw", error.Message);
    }

    [Fact]
    public async Task The_startup_check_lists_the_queries_that_are_missing()
    {
        var connectionString = await postgres.CreateDatabaseAsync("schema_partial");
        await PostgresServer.ExecuteAsync(connectionString, "DELETE FROM orleansquery WHERE querykey IN ('UpsertReminderRowKey', 'GatewaysQueryKey')");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.EnsureAppliedAsync(connectionString, CancellationToken.None));

        Assert.Contains("GatewaysQueryKey, UpsertReminderRowKey", error.Message);
    }

    [Fact]
    public async Task The_startup_check_says_when_the_database_cannot_be_reached()
    {
        var unreachable = $"Host=127.0.0.1;Port={FreePort.Next()};Username=postgres;Database=nowhere;Timeout=3";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.EnsureAppliedAsync(unreachable, CancellationToken.None));

        Assert.StartsWith("Cannot reach the cluster database 'nowhere'", error.Message);
    }
}
