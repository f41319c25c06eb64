namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// A backend call failed in a way the caller should hear about as a model error (502). <see cref="UpstreamStatus"/>
/// is the provider's HTTP status when there was one.
/// </summary>
public sealed class ModelBackendException(string message, int? upstreamStatus = null, Exception? inner = null)
    : Exception(message, inner)
{
    public int? UpstreamStatus { get; } = upstreamStatus;
}
