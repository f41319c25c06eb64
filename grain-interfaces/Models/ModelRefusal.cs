namespace Mcp.Cluster.Models;

/// <summary>
/// Why a model takes no call now, decided by its <see cref="IModelGrain"/> and obeyed by the executors.
/// <see cref="Until"/>, when set, is when the refusal lapses (an open breaker's break): the executor then asks the
/// model grain again instead of waiting for its lease to run out, and derives <c>Retry-After</c> from it.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelRefusal")]
public sealed record ModelRefusal(
    [property: Id(0)] PredictionOutcome Outcome,
    [property: Id(1)] string Detail,
    [property: Id(2)] TimeSpan? RetryAfter = null,
    [property: Id(3)] DateTimeOffset? Until = null)
{
    public TimeSpan? RetryAfterAt(DateTimeOffset now) => Until is { } until ? until - now : RetryAfter;
}
