namespace Mcp.Cluster.Models;

[GenerateSerializer, Alias("mcp.PredictionOutcome")]
public enum PredictionOutcome
{
    Ok,
    NotFound,
    ValidationError,
    ModelError,
    Timeout,
    Unavailable,
    /// <summary>Stopped on request (<c>DELETE /completions/{id}</c> or a WebSocket <c>cancel</c> frame).</summary>
    Cancelled,
    /// <summary>The model was registered without a backend (no <c>provider</c>) and none has been attached yet.</summary>
    NotDeployed,
}
