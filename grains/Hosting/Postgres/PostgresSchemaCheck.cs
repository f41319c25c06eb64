using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Hosting.Postgres;

/// <summary>Runs <see cref="PostgresSchema.EnsureAppliedAsync"/> before membership starts, on silos and on gateways (clients).</summary>
public sealed class PostgresSchemaCheck(IOptions<McpClusterOptions> cluster)
    : ILifecycleParticipant<ISiloLifecycle>, ILifecycleParticipant<IClusterClientLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PostgresSchemaCheck), ServiceLifecycleStage.First, CheckAsync);

    public void Participate(IClusterClientLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PostgresSchemaCheck), ServiceLifecycleStage.First, CheckAsync);

    private Task CheckAsync(CancellationToken cancellationToken) =>
        PostgresSchema.EnsureAppliedAsync(cluster.Value.Postgres.RequireConnectionString(), cancellationToken);
}
