using Orleans.Placement;

namespace Mcp.Cluster.Models.Hosted.Placement;

/// <summary>Marks a grain class whose activations go where the hosted-model ledger placed them (<see cref="HostedModelPlacement"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class HostedModelPlacementAttribute() : PlacementAttribute(HostedModelPlacement.Singleton);
