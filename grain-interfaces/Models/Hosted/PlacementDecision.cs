namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// Where a hosted model's session runs (<see cref="Silo"/>), or why it can run nowhere now
/// (<see cref="Unschedulable"/>: no live silo offers what it needs).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.PlacementDecision")]
public sealed record PlacementDecision(
    [property: Id(0)] SiloAddress? Silo,
    [property: Id(1)] string? Unschedulable = null);
