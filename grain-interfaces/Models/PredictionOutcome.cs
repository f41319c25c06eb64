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
}
