using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Models.Hosted.Placement;

/// <summary>Settings of the cluster's hosted-model ledger (<see cref="ModelPlacementGrain"/>).</summary>
public sealed class ModelPlacementOptions
{
    public const string Section = "Models:Placement";

    /// <summary>
    /// How long memory reserved for a session stays held before the host that should load it confirms: a placement
    /// whose call never arrived (the caller gave up, the call failed) frees its memory after this.
    /// </summary>
    [Positive]
    public TimeSpan PendingTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
