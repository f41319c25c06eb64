using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Gateway.Http;

/// <summary>Bound from <c>Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Largest request body accepted, in bytes; larger bodies get 413.</summary>
    [Positive]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a gateway waits for the cluster before answering 503.</summary>
    [Positive]
    public TimeSpan ClusterCallTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
