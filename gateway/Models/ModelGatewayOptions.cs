using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Gateway.Models;

/// <summary>Bound from <c>Models</c> (the same section as the silo's model settings).</summary>
public sealed class ModelGatewayOptions
{
    public const string Section = "Models";

    /// <summary>Most inputs one <c>/predict/batch</c> call may carry; it costs that many requests against the key.</summary>
    [Positive]
    public int MaxBatchSize { get; set; } = 100;
}
