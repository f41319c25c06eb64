namespace Mcp.Cluster.Models;

[GenerateSerializer, Immutable, Alias("mcp.ModelStatusReport")]
public sealed record ModelStatusReport(
    [property: Id(0)] ModelStatus Status,
    [property: Id(1)] long TotalRequests,
    [property: Id(2)] double AverageLatencyMs,
    [property: Id(3)] string? LastError,
    [property: Id(4)] DateTimeOffset? LastErrorAt,
    [property: Id(5)] DateTimeOffset? LastHealthCheck,
    [property: Id(6)] bool? LastHealthCheckPassed,
    [property: Id(7)] CircuitState Circuit,
    [property: Id(8)] int ConsecutiveFailures,
    [property: Id(9)] Hosted.ModelHostingReport? Hosting = null);
