using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// What a backend is built from: the model's config (secrets decrypted and <c>${ENV}</c> references resolved, or
/// placeholders when the config is only being checked), an <see cref="HttpClient"/> that retries with backoff and
/// honours Retry-After, and the call timeout. <see cref="Hosted"/>: for a model the cluster runs itself, the session
/// its model grain planned (its file, device, batching); null for other providers and when a config is only checked.
/// </summary>
public sealed record ModelBackendContext(
    string ModelId,
    ModelConfig Config,
    HttpClient Http,
    TimeSpan Timeout,
    ILogger Logger,
    Hosted.HostedSessionSpec? Hosted = null);
