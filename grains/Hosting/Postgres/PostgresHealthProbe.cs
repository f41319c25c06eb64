using Mcp.Cluster.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Mcp.Cluster.Hosting.Postgres;

/// <summary>Readiness: the silo can still reach the database that holds its membership, grain state and reminders.</summary>
public sealed class PostgresHealthProbe(IOptions<McpClusterOptions> cluster) : IStorageHealthProbe
{
    public string Name => "postgres";

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(cluster.Value.Postgres.RequireConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT 1 FROM orleansquery LIMIT 1", connection);
        await command.ExecuteScalarAsync(cancellationToken);
    }
}
