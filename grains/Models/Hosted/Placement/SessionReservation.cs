namespace Mcp.Cluster.Models.Hosted.Placement;

/// <summary>
/// Model memory held for one session on one silo: pending (<see cref="PendingSince"/> set) from the placement until
/// the host confirms it loaded there, confirmed after.
/// </summary>
[GenerateSerializer, Alias("mcp.SessionReservation")]
public sealed class SessionReservation
{
    [Id(0)] public string Silo { get; set; } = "";
    [Id(1)] public long Bytes { get; set; }
    [Id(2)] public DateTimeOffset? PendingSince { get; set; }
}
