using Mcp.Cluster.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.Tests.Cluster;

/// <summary>
/// Silos of a PostgreSQL cluster run inside the test process, each on ports of its own, for tests that put gateways
/// (<see cref="Infrastructure.GatewayFactory"/> as cluster clients) in front of more than one silo. Stopped on dispose.
/// </summary>
public sealed class InProcessSilos : IAsyncDisposable
{
    private readonly List<IHost> _silos = [];

    /// <summary>Starts silo <paramref name="instance"/> with the cluster's settings; a silo that fails to start is disposed and the failure thrown.</summary>
    public async Task<IHost> StartAsync(IReadOnlyDictionary<string, string?> clusterSettings, int instance)
    {
        var builder = Host.CreateApplicationBuilder();
        var settings = new Dictionary<string, string?>(clusterSettings)
        {
            ["Cluster:SiloPort"] = Infrastructure.FreePort.Next().ToString(),
            ["Cluster:GatewayPort"] = Infrastructure.FreePort.Next().ToString(),
            ["Cluster:Instance"] = instance.ToString(),
        };
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseMcpCluster(builder.Configuration));
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }
        _silos.Add(host);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            try
            {
                await silo.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
            }
            silo.Dispose();
        }
        _silos.Clear();
    }
}
