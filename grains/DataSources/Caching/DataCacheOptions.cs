using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.DataSources.Caching;

public sealed class DataCacheOptions
{
    public const string Section = "DataSources:Cache";

    /// <summary>
    /// StackExchange.Redis configuration (e.g. <c>localhost:6379</c>) for the shared second level. Without it each
    /// silo caches in its own memory only.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>Results larger than this are not cached.</summary>
    [Positive]
    public int MaximumPayloadBytes { get; set; } = 4 * 1024 * 1024;
}
