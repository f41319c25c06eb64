namespace Mcp.Cluster.Models.Backends;

/// <summary>Defaults for every backend's HTTP calls; a model's config can override retries and timeout.</summary>
public sealed class ModelBackendOptions
{
    public const string Section = "Models:Backends";

    public int DefaultMaxRetries { get; set; } = 2;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between attempts, including a provider's Retry-After.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(20);

    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public int MaxConnectionsPerServer { get; set; } = 256;
}
