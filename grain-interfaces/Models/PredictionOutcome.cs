namespace Mcp.Cluster.Models;

[GenerateSerializer]
public enum PredictionOutcome
{
    Ok,
    NotFound,
    ValidationError,
    ModelError,
    Timeout,
    Unavailable,
}
