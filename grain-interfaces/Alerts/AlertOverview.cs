namespace Mcp.Cluster.Alerts;

/// <summary>Alerts now pending or firing, the most recently resolved ones, and when the rules were last evaluated.</summary>
[GenerateSerializer, Immutable, Alias("mcp.AlertOverview")]
public sealed record AlertOverview(
    [property: Id(0)] IReadOnlyList<AlertInstance> Active,
    [property: Id(1)] IReadOnlyList<AlertInstance> Resolved,
    [property: Id(2)] DateTimeOffset? LastEvaluatedAt);
