using Mcp.Cluster.Changes;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Mcp.Cluster.DataSources.Execution;

/// <summary>
/// Subscribes this silo to the catalog change stream and marks a source's policy stale when its grain announces a
/// change (definition, grants, schema), so executors here fetch the new one on their next read rather than at the end
/// of the lease. A lost event (memory streams, a silo dying) only delays that to <see cref="DataSourceGrainOptions.PolicyLease"/>.
/// </summary>
public sealed class DataPolicyChangeListener(IClusterClient cluster, DataSourceRuntime runtime, ILogger<DataPolicyChangeListener> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private StreamSubscriptionHandle<CatalogChange>? _subscription;
    private Task _subscribing = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe<DataPolicyChangeListener>(ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _subscribing = Task.Run(SubscribeAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task SubscribeAsync()
    {
        while (!_stopping.IsCancellationRequested && _subscription is null)
        {
            try
            {
                var stream = cluster.GetStreamProvider(ChangeStreams.Provider)
                    .GetStream<CatalogChange>(StreamId.Create(ChangeStreams.Namespace, ChangeStreams.Key));
                _subscription = await stream.SubscribeAsync((change, _) =>
                {
                    if (change is { Kind: CatalogChangeKind.DataSource, Name: { } name })
                    {
                        runtime.Invalidate(name);
                    }
                    return Task.CompletedTask;
                });
            }
            catch (Exception e) when (!_stopping.IsCancellationRequested)
            {
                logger.LogDebug(e, "Subscribing to data source changes failed; retrying (policies are renewed by their lease meanwhile)");
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _subscribing;
        if (_subscription is { } subscription)
        {
            try
            {
                await subscription.UnsubscribeAsync();
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Unsubscribing from data source changes failed");
            }
        }
    }
}
