namespace Mcp.Cluster.Outbound;

/// <summary>Resolves host names for the outbound policy's connect check; replaceable so tests need no DNS.</summary>
public interface IHostResolver
{
    Task<System.Net.IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}
