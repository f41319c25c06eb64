namespace Mcp.Cluster.DataSources;

public sealed class DataSourceGrainOptions
{
    public const string Section = "DataSources";

    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Failed health checks in a row before the source is reported in error.</summary>
    public int UnhealthyThreshold { get; set; } = 2;

    /// <summary>Longest a structured query or raw SQL statement may run (enforced by the source where it can, and by cancellation).</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan SchemaDiscoveryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Usage counters are written behind at this interval (and on deactivation).</summary>
    public TimeSpan UsageFlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long results are cached when the source names no cache_ttl_seconds; zero turns caching off.</summary>
    public TimeSpan DefaultCacheTtl { get; set; } = TimeSpan.FromSeconds(60);

    public int MaxSqlLength { get; set; } = 16 * 1024;

    /// <summary>Rows one raw SQL statement returns at most; more are cut off and the answer says so.</summary>
    public int MaxSqlRows { get; set; } = 1000;

    public int MaxConfigBytes { get; set; } = 16 * 1024;

    public int MaxGrants { get; set; } = 10_000;

    /// <summary>Creates and registers the sample jobs_db and homebuilders_db sources at first start in local mode.</summary>
    public bool SeedSamples { get; set; } = true;
}
