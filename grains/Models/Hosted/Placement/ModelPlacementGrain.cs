using Mcp.Cluster.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Models.Hosted.Placement;

/// <summary>
/// The cluster's one ledger of hosted-model sessions (key 0): it decides where each session runs, and only it, so two
/// silos never both take the last free memory. Liveness comes from the membership view at each decision; what silos
/// declared and what sessions hold is stored, so an activation on another silo carries on with the same book.
/// </summary>
[GrainType("model-placement")]
public sealed class ModelPlacementGrain(
    [PersistentState("model-placement", StorageNames.Default)] IPersistentState<ModelPlacementState> ledger,
    IClusterMembershipService membership,
    TimeProvider time,
    IOptions<ModelPlacementOptions> options,
    ILogger<ModelPlacementGrain> logger)
    : Grain, IModelPlacementGrain
{
    private PlacementBook? _book;

    private PlacementBook Book => _book ??= new PlacementBook(ledger.State, time, options.Value.PendingTimeout);

    public async Task DeclareAsync(SiloResources resources)
    {
        Book.Declare(resources);
        await SaveAsync();
    }

    public async Task<PlacementDecision> PlaceAsync(string sessionKey, HostingRequirement requirement)
    {
        var decision = Book.Place(sessionKey, requirement, await StatusAsync());
        await SaveAsync();
        if (decision.Unschedulable is { } reason)
        {
            logger.LogDebug("Hosted session {Session} is unschedulable: {Reason}", sessionKey, reason);
        }
        return decision;
    }

    public async Task<PlacementDecision> CheckAsync(string sessionKey, HostingRequirement requirement)
    {
        var decision = Book.Place(sessionKey, requirement, await StatusAsync(), reserve: false);
        await SaveAsync();
        return decision;
    }

    public async Task<PlacementDecision> ConfirmAsync(string sessionKey, SiloAddress silo, HostingRequirement requirement)
    {
        var decision = Book.Confirm(sessionKey, silo, requirement, await StatusAsync());
        await SaveAsync();
        if (decision.Unschedulable is { } reason)
        {
            logger.LogWarning("Hosted session {Session} refused on {Silo}: {Reason}", sessionKey, silo, reason);
        }
        return decision;
    }

    public async Task ReleaseAsync(string sessionKey, SiloAddress silo)
    {
        Book.Release(sessionKey, silo);
        await SaveAsync();
    }

    public async Task<PlacementSnapshot> GetSnapshotAsync()
    {
        var snapshot = Book.Snapshot(await StatusAsync());
        await SaveAsync();
        return snapshot;
    }

    /// <summary>
    /// Each declared silo's status in this silo's membership view. A silo missing from the view is read again from the
    /// table first (it may have joined a moment ago); one missing even then is gone (a ledger stored by an earlier cluster).
    /// </summary>
    private async ValueTask<Func<string, SiloStatus>> StatusAsync()
    {
        var statuses = Statuses();
        if (Book.State.Silos.Keys.Any(s => !statuses.ContainsKey(s)))
        {
            await membership.Refresh();
            statuses = Statuses();
        }
        return silo => statuses.TryGetValue(silo, out var status) ? status : SiloStatus.Dead;
    }

    private Dictionary<string, SiloStatus> Statuses() => membership.CurrentSnapshot.Members.Values
        .ToDictionary(m => m.SiloAddress.ToParsableString(), m => m.Status, StringComparer.Ordinal);

    private async Task SaveAsync()
    {
        if (Book.TakeChanges())
        {
            try
            {
                await ledger.WriteStateAsync();
            }
            catch
            {
                // The caller sees the failure; the next activation decides from what was stored, not from this unsaved book.
                DeactivateOnIdle();
                throw;
            }
        }
    }
}
