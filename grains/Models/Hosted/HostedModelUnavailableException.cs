namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// A hosted model cannot take the call now for a reason that says nothing about the model's health (its queue is
/// full, its session is moving to another silo): 503 with Retry-After, not counted against its circuit breaker.
/// </summary>
[GenerateSerializer, Alias("mcp.HostedModelUnavailableException")]
public sealed class HostedModelUnavailableException : Exception
{
    public HostedModelUnavailableException()
    {
    }

    public HostedModelUnavailableException(string message) : base(message)
    {
    }

    public HostedModelUnavailableException(string message, Exception inner) : base(message, inner)
    {
    }
}
