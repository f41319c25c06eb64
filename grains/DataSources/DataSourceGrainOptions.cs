using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.DataSources;

public sealed class DataSourceGrainOptions
{
    public const string Section = "DataSources";

    [Positive]
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    [Positive]
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Failed health checks in a row before the source is reported in error.</summary>
    [Positive]
    public int UnhealthyThreshold { get; set; } = 2;

    /// <summary>Longest a structured query or raw SQL statement may run (enforced by the source where it can, and by cancellation).</summary>
    [Positive]
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Raw SQL statements one source runs at once (across the cluster: a source is one grain); more are refused at
    /// once with 503 and Retry-After rather than queued. Each statement may hold a thread and a core until its timeout.
    /// </summary>
    [Positive]
    public int MaxConcurrentSql { get; set; } = 4;

    /// <summary>Raw SQL statements one key runs at once on one source, so one caller cannot take all of <see cref="MaxConcurrentSql"/>.</summary>
    [Positive]
    public int MaxConcurrentSqlPerKey { get; set; } = 2;

    [Positive]
    public TimeSpan SchemaDiscoveryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Longest an executor uses a source's policy without asking its grain whether it changed. Changes normally arrive
    /// at once on the catalog change stream; this bounds how late a grant change reaches a silo whose notification
    /// was lost. Renewing is one small call per source and silo per lease.
    /// </summary>
    public TimeSpan PolicyLease { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often each silo sends its executors' counters (reads, rows, denials, cache hits) to the sources' grains.</summary>
    public TimeSpan UsageReportInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Usage counters are written behind at this interval (and on deactivation).</summary>
    [Positive]
    public TimeSpan UsageFlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long results are cached when the source names no cache_ttl_seconds; zero turns caching off.</summary>
    [NonNegative]
    public TimeSpan DefaultCacheTtl { get; set; } = TimeSpan.FromSeconds(60);

    [Positive]
    public int MaxSqlLength { get; set; } = 16 * 1024;

    /// <summary>Rows one raw SQL statement returns at most; more are cut off and the answer says so.</summary>
    [Positive]
    public int MaxSqlRows { get; set; } = 1000;

    /// <summary>
    /// Bytes (UTF-8 text, base64 binary) one read may return, raw SQL or structured, counted while rows stream in;
    /// a read that goes over is stopped and refused with <c>result_too_large</c> rather than cut short.
    /// </summary>
    [Positive]
    public long MaxResultBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// The largest single value raw SQL may produce. For SQLite this is the connection's SQLITE_LIMIT_LENGTH, so a
    /// statement like <c>zeroblob(1000000000)</c> fails inside SQLite before anything that size is allocated.
    /// </summary>
    [Positive]
    public int MaxValueBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The only directory SQLite sources may open files in (after the path is made absolute and symlinks resolved);
    /// null means <c>{Cluster:DataDirectory}/samples</c>, where the sample databases live. Relative paths are still
    /// taken relative to the data directory. Never the data directory itself: it holds the node's own state.
    /// </summary>
    public string? SqliteDirectory { get; set; }

    [Positive]
    public int MaxConfigBytes { get; set; } = 16 * 1024;

    [Positive]
    public int MaxGrants { get; set; } = 10_000;

    /// <summary>Tables an admin's preview of what a key sees reads at most (<c>GET /api/datasources/{name}/preview</c> without <c>table</c>).</summary>
    [Positive]
    public int MaxPreviewTables { get; set; } = 20;

    /// <summary>Creates and registers the sample jobs_db and homebuilders_db sources at first start in local mode.</summary>
    public bool SeedSamples { get; set; } = true;
}
