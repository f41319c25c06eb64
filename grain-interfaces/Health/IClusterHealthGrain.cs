namespace Mcp.Cluster.Health;

/// <summary>Answers readiness probes from inside a silo, so one call proves both the cluster and its storage.</summary>
[Alias("mcp.cluster-health")]
public interface IClusterHealthGrain : IGrainWithIntegerKey
{
    [Alias("check")]
    Task<ClusterHealthReport> CheckAsync();
}
