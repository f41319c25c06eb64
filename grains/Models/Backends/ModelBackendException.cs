namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// A backend call failed in a way the caller should hear about as a model error (502). <see cref="UpstreamStatus"/>
/// is the provider's HTTP status when there was one.
/// </summary>
public sealed class ModelBackendException(string message, int? upstreamStatus = null, Exception? inner = null)
    : Exception(message, inner)
{
    public int? UpstreamStatus { get; } = upstreamStatus;

    /// <summary>
    /// The provider refused this input (400, 413, 422: too long, malformed for it): the caller's mistake, not a
    /// provider failure, so it must not count against the circuit breaker every caller shares. 401/403/404/429 are
    /// our configuration or quota and stay provider failures.
    /// </summary>
    public bool InputRejected => UpstreamStatus is 400 or 413 or 422;

    /// <summary>The 400 detail for a rejected input: the provider's reason, already trimmed by <see cref="ProviderHttp"/>.</summary>
    public string RejectionDetail => $"The provider rejected the input: {Message}";
}
