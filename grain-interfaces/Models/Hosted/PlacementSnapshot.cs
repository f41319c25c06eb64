namespace Mcp.Cluster.Models.Hosted;

/// <summary>The ledger as operators see it: each live silo's offer and the sessions placed on it.</summary>
[GenerateSerializer, Immutable, Alias("mcp.PlacementSnapshot")]
public sealed record PlacementSnapshot([property: Id(0)] SiloPlacement[] Silos);

[GenerateSerializer, Immutable, Alias("mcp.SiloPlacement")]
public sealed record SiloPlacement(
    [property: Id(0)] SiloAddress Silo,
    [property: Id(1)] int Gpus,
    [property: Id(2)] long ModelMemoryBytes,
    [property: Id(3)] long ReservedBytes,
    [property: Id(4)] string[] Sessions);
