namespace Mcp.Cluster.Models.Hosted;

/// <summary>What a silo offers hosted models, as its operator declared it (<c>Silo:Resources</c>).</summary>
[GenerateSerializer, Immutable, Alias("mcp.SiloResources")]
public sealed record SiloResources(
    [property: Id(0)] SiloAddress Silo,
    [property: Id(1)] int Gpus,
    [property: Id(2)] long ModelMemoryBytes);
