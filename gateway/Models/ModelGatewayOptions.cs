using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Gateway.Models;

/// <summary>Bound from <c>Models</c> (the same section as the silo's model settings).</summary>
public sealed class ModelGatewayOptions
{
    public const string Section = "Models";

    /// <summary>Most inputs one <c>/predict/batch</c> call may carry; it costs that many requests against the key.</summary>
    [Positive]
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>
    /// Most <c>name@version|alias</c> resolutions one gateway keeps (<see cref="ModelNameCache"/>); past it the cache
    /// starts over rather than grow.
    /// </summary>
    [Positive]
    public int NameCacheSize { get; set; } = 10_000;

    /// <summary>
    /// How long a cached resolution is used at most. Catalog changes drop entries at once on every gateway; this only
    /// bounds how long one missed change (an event lost with a dying silo) can be seen.
    /// </summary>
    [Positive]
    public TimeSpan NameCacheTtl { get; set; } = TimeSpan.FromSeconds(30);
}
