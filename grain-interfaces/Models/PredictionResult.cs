namespace Mcp.Cluster.Models;

/// <summary>
/// The answer to a single or batch prediction. Outputs are JSON text so the gateway can write them without
/// re-serializing. <see cref="Index"/> names the batch item a validation error is about.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.PredictionResult")]
public sealed record PredictionResult(
    [property: Id(0)] PredictionOutcome Outcome,
    [property: Id(1)] IReadOnlyList<string> Outputs,
    [property: Id(2)] string? Detail = null,
    [property: Id(3)] string? Field = null,
    [property: Id(4)] int? Index = null,
    [property: Id(5)] TimeSpan? RetryAfter = null,
    [property: Id(6)] double LatencyMs = 0)
{
    public static PredictionResult Failure(PredictionOutcome outcome, string detail, string? field = null, int? index = null, TimeSpan? retryAfter = null) =>
        new(outcome, [], detail, field, index, retryAfter);
}
