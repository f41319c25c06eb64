namespace Mcp.Cluster.Models;

/// <summary>
/// What an executor's calls to a model came to since its last report: successes summed, and at most one failure
/// (the last call of the report; a failure is reported before its answer returns, so the breaker counts it at once).
/// <see cref="TrialReleased"/> hands back a trial call that ended saying nothing about the model's health
/// (cancelled, or an input the provider refused). <see cref="BackendError"/> is a backend that would not start.
/// <see cref="PlacementStale"/>: a hosted model's session could not run where the plan placed it (its silo left, or
/// the host refused); the model grain asks the placement ledger again before answering.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelOutcomeReport")]
public sealed record ModelOutcomeReport(
    [property: Id(0)] int Requests,
    [property: Id(1)] double LatencyMsTotal,
    [property: Id(2)] long PromptTokens,
    [property: Id(3)] long CompletionTokens,
    [property: Id(4)] int FailedRequests = 0,
    [property: Id(5)] double FailedLatencyMs = 0,
    [property: Id(6)] string? Failure = null,
    [property: Id(7)] bool TrialReleased = false,
    [property: Id(8)] string? BackendError = null,
    [property: Id(9)] bool PlacementStale = false);
