using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Gateway.DataSources;

public sealed class DataSourceGatewayOptions
{
    public const string Section = "DataSources";

    /// <summary>Cache lifetime of a source registered without cache_ttl_seconds (the silo's DataSources:DefaultCacheTtl in one process).</summary>
    [NonNegative]
    public TimeSpan DefaultCacheTtl { get; set; } = TimeSpan.FromSeconds(60);
}
