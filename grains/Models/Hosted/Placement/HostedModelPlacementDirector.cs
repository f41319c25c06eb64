using Orleans.Runtime.Placement;

namespace Mcp.Cluster.Models.Hosted.Placement;

/// <summary>
/// Obeys the ledger: places the activation on the silo named under <see cref="HostedModelPlacement.TargetSiloKey"/> in
/// the activating call's request context, when that silo can host the grain. Runs on the caller's silo (or the gateway
/// silo of a client call) on Orleans' placement workers, so it reads the context from the
/// <see cref="PlacementTarget"/>, never from <see cref="RequestContext"/>.
/// </summary>
public sealed class HostedModelPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var chosen = HostedModelPlacement.TargetOf(target.RequestContextData)
            ?? throw new HostedPlacementException(
                $"No silo was chosen for hosted session {target.GrainIdentity}: ask the placement ledger (IModelPlacementGrain.PlaceAsync) "
                + $"and call within HostedModelPlacement.Target(silo).");
        if (!context.GetCompatibleSilos(target).Contains(chosen))
        {
            throw new HostedPlacementException(
                $"The silo chosen for hosted session {target.GrainIdentity} ({chosen}) is not in the cluster any more; try again.");
        }
        return Task.FromResult(chosen);
    }
}
