using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// What a backend is built from: the model's config (secrets decrypted and <c>${ENV}</c> references resolved, or
/// placeholders when the config is only being checked), an <see cref="HttpClient"/> that retries with backoff and
/// honours Retry-After, and the call timeout.
/// </summary>
public sealed record ModelBackendContext(
    string ModelId,
    ModelConfig Config,
    HttpClient Http,
    TimeSpan Timeout,
    ILogger Logger);
