namespace Mcp.Cluster.Models.Hosted.Placement;

/// <summary>
/// The ledger as stored: each silo's declaration and each session's reservation, keyed by silo address in its
/// parsable form (<c>SiloAddress.ToParsableString</c>), so a reactivation on another silo decides as before.
/// </summary>
[GenerateSerializer, Alias("mcp.ModelPlacementState")]
public sealed class ModelPlacementState
{
    [Id(0)] public Dictionary<string, DeclaredSilo> Silos { get; set; } = [];
    [Id(1)] public Dictionary<string, SessionReservation> Sessions { get; set; } = [];
}
