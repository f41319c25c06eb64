using System.Text.Json.Serialization;

namespace Mcp.Cluster.Gateway.Errors;

/// <summary>
/// The one error shape of the API: <c>{"error": code, "detail": text, "timestamp": …}</c> plus fields the case needs
/// (for example <c>reset_time</c> on 429).
/// </summary>
public sealed class ApiError
{
    public required string Error { get; init; }

    public required string Detail { get; init; }

    public DateTimeOffset Timestamp { get; init; } = DateTimeOffset.UtcNow;

    [JsonExtensionData]
    public Dictionary<string, object?>? Extra { get; init; }
}
