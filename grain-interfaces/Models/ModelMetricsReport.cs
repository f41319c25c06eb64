namespace Mcp.Cluster.Models;

/// <summary>Request counts by UTC day (<c>yyyy-MM-dd</c>), error rate in [0, 1] and mean latency of the period.</summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelMetricsReport")]
public sealed record ModelMetricsReport(
    [property: Id(0)] IReadOnlyDictionary<string, long> DailyRequests,
    [property: Id(1)] IReadOnlyDictionary<string, long> DailyErrors,
    [property: Id(2)] long TotalRequests,
    [property: Id(3)] long TotalErrors,
    [property: Id(4)] double ErrorRate,
    [property: Id(5)] double AverageResponseTimeMs,
    [property: Id(6)] long PromptTokens = 0,
    [property: Id(7)] long CompletionTokens = 0);
