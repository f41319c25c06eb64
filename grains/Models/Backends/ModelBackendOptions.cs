using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Models.Backends;

/// <summary>Defaults for every backend's HTTP calls; a model's config can override retries and timeout.</summary>
public sealed class ModelBackendOptions
{
    public const string Section = "Models:Backends";

    [NonNegative]
    public int DefaultMaxRetries { get; set; } = 2;

    [NonNegative]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between attempts, including a provider's Retry-After.</summary>
    [NonNegative]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(20);

    [Positive]
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(60);

    [Positive]
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromMinutes(5);

    [Positive]
    public int MaxConnectionsPerServer { get; set; } = 256;
}
