namespace Mcp.Cluster.Alerts;

/// <summary>What a channel is asked to deliver: an alert firing, resolving, or a test message.</summary>
[GenerateSerializer, Immutable, Alias("mcp.AlertNotification")]
public sealed record AlertNotification(
    [property: Id(0)] string Event,
    [property: Id(1)] AlertInstance Alert,
    [property: Id(2)] string Summary,
    [property: Id(3)] string Description,
    [property: Id(4)] DateTimeOffset At)
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";
    public const string Test = "test";
}
