namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// The cluster's ledger of hosted-model sessions (one grain, key 0): which silos offer what, which session is placed
/// where and how much of each silo's model memory it holds. It decides placement; hosts confirm and release.
/// </summary>
[Alias("mcp.model-placement")]
public interface IModelPlacementGrain : IGrainWithIntegerKey
{
    /// <summary>A silo states what it offers (at start and periodically, so a new ledger activation learns it).</summary>
    [Alias("declare")]
    Task DeclareAsync(SiloResources resources);

    /// <summary>
    /// The silo a session runs on: its current placement while that silo is alive, else a new one reserved on a live
    /// silo that offers a GPU when one is required and has the memory free; unschedulable when none has.
    /// </summary>
    [Alias("place")]
    Task<PlacementDecision> PlaceAsync(string sessionKey, HostingRequirement requirement);

    /// <summary>Where <see cref="PlaceAsync"/> would put the session now, or why nowhere, without reserving anything.</summary>
    [Alias("check")]
    Task<PlacementDecision> CheckAsync(string sessionKey, HostingRequirement requirement);

    /// <summary>
    /// The host that loads a session on <paramref name="silo"/> holds it there: kept when it is already placed there,
    /// else reserved on that silo if it fits (a call that reached the silo with an older decision), else refused.
    /// </summary>
    [Alias("confirm")]
    Task<PlacementDecision> ConfirmAsync(string sessionKey, SiloAddress silo, HostingRequirement requirement);

    /// <summary>The session unloaded (idle, deleted, replaced): its memory on that silo is free again.</summary>
    [Alias("release")]
    Task ReleaseAsync(string sessionKey, SiloAddress silo);

    [Alias("snapshot")]
    Task<PlacementSnapshot> GetSnapshotAsync();
}
