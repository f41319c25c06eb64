using System.Diagnostics;
using Mcp.Cluster.Storage;
using Orleans.Concurrency;

namespace Mcp.Cluster.Health;

[StatelessWorker]
[GrainType("clusterhealth")]
public sealed class ClusterHealthGrain(IEnumerable<IStorageHealthProbe> probes, ILocalSiloDetails silo) : Grain, IClusterHealthGrain
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public async Task<ClusterHealthReport> CheckAsync()
    {
        var checks = new Dictionary<string, string>(StringComparer.Ordinal);
        var healthy = true;
        foreach (var probe in probes)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var timeout = new CancellationTokenSource(ProbeTimeout);
                await probe.CheckAsync(timeout.Token).WaitAsync(timeout.Token);
                checks[probe.Name] = $"ok ({Stopwatch.GetElapsedTime(started).TotalMilliseconds:F1} ms)";
            }
            catch (Exception ex)
            {
                healthy = false;
                checks[probe.Name] = $"failed: {ex.GetType().Name}: {ex.Message}";
            }
        }
        return new ClusterHealthReport(healthy, silo.SiloAddress.ToString(), checks);
    }
}
