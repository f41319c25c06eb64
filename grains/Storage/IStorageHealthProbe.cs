namespace Mcp.Cluster.Storage;

/// <summary>A storage backend that can prove it is reachable; readiness probes call every registered probe.</summary>
public interface IStorageHealthProbe
{
    string Name { get; }

    Task CheckAsync(CancellationToken cancellationToken);
}
