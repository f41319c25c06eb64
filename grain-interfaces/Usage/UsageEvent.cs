namespace Mcp.Cluster.Usage;

/// <summary>
/// One served request (or one completion on a WebSocket), as a gateway saw it. <see cref="Route"/> is the endpoint's
/// route template, never the raw path, so aggregates stay bounded however callers spell their URLs.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.UsageEvent")]
public sealed record UsageEvent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string? KeyId,
    [property: Id(2)] string? ModelId,
    [property: Id(3)] string? Source,
    [property: Id(4)] string Route,
    [property: Id(5)] string Protocol,
    [property: Id(6)] int Status,
    [property: Id(7)] double LatencyMs,
    [property: Id(8)] long PromptTokens = 0,
    [property: Id(9)] long CompletionTokens = 0,
    [property: Id(10)] long Rows = 0,
    [property: Id(11)] bool? CacheHit = null)
{
    public DateOnly Day => DateOnly.FromDateTime(At.UtcDateTime);

    /// <summary>A 5xx answer: the error rate's numerator.</summary>
    public bool IsServerError => Status >= 500;

    /// <summary>Any other 4xx answer, rate-limit and quota refusals included: the caller's error, not the service's.</summary>
    public bool IsClientError => Status is >= 400 and < 500;
}
