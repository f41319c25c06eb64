using Mcp.Cluster.Hosting;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Mcp.Cluster.Tests.Cluster;

/// <summary>
/// An in-process test cluster whose silos keep grain state and reminders in PostgreSQL through our schema, as
/// <c>Cluster:Mode=Postgres</c> configures them, in a database of its own. Membership stays the test cluster's own
/// (it cannot be replaced); <see cref="PostgresMembershipTests"/> runs silos with membership in PostgreSQL.
/// Failure detection is tuned down so a killed silo is declared dead within seconds.
/// </summary>
public sealed class PostgresClusterFixture(PostgresServer postgres, int silos, IReadOnlyDictionary<string, string?>? extraSettings,
    string connectionOptions) : IAsyncDisposable
{
    private readonly TempDirectory _data = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public McpClusterOptions Options { get; private set; } = null!;

    /// <param name="connectionOptions">Appended to the connection string, e.g. <c>;Maximum Pool Size=1</c>.</param>
    public static async Task<PostgresClusterFixture> StartAsync(PostgresServer postgres, string name, int silos,
        IReadOnlyDictionary<string, string?>? settings = null, string connectionOptions = "")
    {
        var fixture = new PostgresClusterFixture(postgres, silos, settings, connectionOptions);
        await fixture.DeployAsync(name);
        return fixture;
    }

    private async Task DeployAsync(string name)
    {
        ConnectionString = await postgres.CreateDatabaseAsync(name) + connectionOptions;
        var id = $"{name}-{Guid.NewGuid():N}"[..24];
        var settings = new Dictionary<string, string?>
        {
            ["Cluster:Mode"] = "Postgres",
            ["Cluster:ClusterId"] = id,
            ["Cluster:ServiceId"] = id,
            ["Cluster:DataDirectory"] = _data.Path,
            ["Cluster:Postgres:ConnectionString"] = ConnectionString,
            ["ApiKeys:UsageFlushInterval"] = "00:00:01",
            // Not under test here; its per-grain-call profiling and per-second counters only load the machine.
            ["Dashboard:Enabled"] = "false",
        };
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        Settings = settings;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        Options = configuration.GetSection(McpClusterOptions.Section).Get<McpClusterOptions>()!;

        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ClusterId = id;
        builder.Options.ServiceId = id;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            });
            silo.AddMcpSilo(configuration, Options);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>The settings a gateway needs to join this cluster as a client.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; private set; } = new Dictionary<string, string?>();

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _data.Dispose();
    }
}
