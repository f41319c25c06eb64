using System.Text.Json;

namespace Mcp.Cluster.Client;

/// <summary><c>GET /api/models/{model}/status</c>: health, circuit and counters (and <see cref="Hosting"/> for a hosted model).</summary>
public sealed record ModelStatus(
    string ModelId,
    string Status,
    long TotalRequests,
    string AverageLatency,
    double AverageLatencyMs,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DateTimeOffset? LastHealthCheck,
    bool? LastHealthCheckPassed,
    string Circuit,
    int ConsecutiveFailures,
    JsonElement? Hosting = null);
