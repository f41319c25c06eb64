using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// What a backend is built from: the model's config (secrets already decrypted and <c>${ENV}</c> references
/// resolved), an <see cref="HttpClient"/> that retries with backoff and honours Retry-After, and the call timeout.
/// When <see cref="ValidationOnly"/> is set the backend is only being checked at registration: it must not do I/O
/// and secrets are placeholders.
/// </summary>
public sealed record ModelBackendContext(
    string ModelId,
    ModelConfig Config,
    HttpClient Http,
    TimeSpan Timeout,
    ILogger Logger,
    bool ValidationOnly);
