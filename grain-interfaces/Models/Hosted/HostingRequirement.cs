namespace Mcp.Cluster.Models.Hosted;

/// <summary>What a hosted model's session needs from the silo that loads it.</summary>
[GenerateSerializer, Immutable, Alias("mcp.HostingRequirement")]
public sealed record HostingRequirement(
    [property: Id(0)] bool RequiresGpu,
    [property: Id(1)] long MemoryBytes);
