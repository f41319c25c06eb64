using Mcp.Cluster.Storage;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Mcp.Cluster.Usage;

/// <summary>
/// Aggregates the usage events of one scope and day (its key is the <see cref="UsageScope"/> string). Activated by
/// its implicit subscription when a gateway publishes the first batch for the scope. Counts are written behind, every
/// <see cref="UsageMetricsOptions.PersistInterval"/> and on deactivation, so the request path never waits for storage:
/// a silo that dies loses at most that interval's counts of the grains it hosted. Quotas are not enforced from
/// here (they live in the key and data-source grains, which count before serving).
/// </summary>
[ImplicitStreamSubscription(UsageStreams.Namespace)]
[GrainType("usagemetrics")]
public sealed class UsageMetricsGrain(
    [PersistentState("usage", StorageNames.Default)] IPersistentState<UsageTotals> usage,
    IOptions<UsageMetricsOptions> options) : Grain, IUsageMetricsGrain, IStreamSubscriptionObserver, IAsyncObserver<UsageBatch>
{
    private bool _dirty;
    private bool _breakdowns;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _breakdowns = UsageScope.TryParse(this.GetPrimaryKeyString(), out var scope) && scope.Kind == UsageScopeKind.Cluster;
        var interval = options.Value.PersistInterval;
        this.RegisterGrainTimer(PersistAsync, interval, interval);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await PersistAsync(cancellationToken);
    }

    public Task<UsageTotals> GetAsync() => Task.FromResult(usage.State);

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        await handleFactory.Create<UsageBatch>().ResumeAsync(this);
    }

    public Task OnNextAsync(UsageBatch item, StreamSequenceToken? token = null)
    {
        foreach (var e in item.Events)
        {
            usage.State.Add(e, _breakdowns);
        }
        _dirty = true;
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    private async Task PersistAsync(CancellationToken cancellationToken)
    {
        if (!_dirty)
        {
            return;
        }
        _dirty = false;
        try
        {
            await usage.WriteStateAsync(cancellationToken);
        }
        catch
        {
            // Keep the counts and try again on the next tick.
            _dirty = true;
            throw;
        }
    }
}
