namespace Mcp.Cluster.Alerts;

/// <summary>The outcome of delivering one notification on one channel, after retries.</summary>
[GenerateSerializer, Immutable, Alias("mcp.AlertDelivery")]
public sealed record AlertDelivery(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Event,
    [property: Id(2)] string Fingerprint,
    [property: Id(3)] bool Delivered,
    [property: Id(4)] int Attempts,
    [property: Id(5)] string? Error = null);
