namespace Mcp.Cluster.Alerts;

[GenerateSerializer, Alias("mcp.AlertChannelState")]
public sealed class AlertChannelState
{
    /// <summary>The definition with every secret replaced by its Data Protection ciphertext.</summary>
    [Id(0)] public AlertChannelDefinition? Definition { get; set; }
    [Id(1)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(2)] public List<AlertDelivery> Deliveries { get; set; } = [];
}
