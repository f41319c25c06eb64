using Mcp.Cluster.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>An in-process Orleans cluster whose silos use the production SQLite grain storage in a temporary directory.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public string DataDirectory => _data.Path;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:DataDirectory"] = _data.Path,
            ["ApiKeys:UsageFlushInterval"] = "00:00:01",
            // Grain tests have no use for the dashboard's call profiling and per-second counters.
            ["Dashboard:Enabled"] = "false",
        }).Build();
        var cluster = new McpClusterOptions { DataDirectory = _data.Path };

        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddMcpSilo(configuration, cluster));
        // As the gateway's client: it publishes usage and change events.
        builder.ConfigureClient(client => client.AddMemoryStreams(Mcp.Cluster.Changes.ChangeStreams.Provider));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _data.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
