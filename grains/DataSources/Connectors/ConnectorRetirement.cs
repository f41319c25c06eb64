namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>
/// Disposes a connector that was replaced only once the work still running on it (reads, discovery, a health check)
/// has had its timeout to finish: the grain's and each silo's runtime retire connectors the same way.
/// </summary>
public static class ConnectorRetirement
{
    public static void Retire(DataConnector old, TimeSpan queryTimeout, TimeProvider time) =>
        _ = Task.Delay(queryTimeout + TimeSpan.FromSeconds(5), time).ContinueWith(_ => old.DisposeAsync().AsTask(), TaskScheduler.Default);
}
