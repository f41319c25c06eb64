namespace Mcp.Cluster.Alerts;

[GenerateSerializer, Alias("mcp.AlertEvaluatorState")]
public sealed class AlertEvaluatorState
{
    /// <summary>Whether the default rules were written once; deleting them afterwards is the admin's choice and sticks.</summary>
    [Id(0)] public bool Seeded { get; set; }
    [Id(1)] public Dictionary<string, AlertRule> Rules { get; set; } = [];
    [Id(2)] public Dictionary<string, AlertInstance> Active { get; set; } = [];
    [Id(3)] public List<AlertInstance> Resolved { get; set; } = [];
}
