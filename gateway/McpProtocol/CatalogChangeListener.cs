using Mcp.Cluster.Changes;
using Mcp.Cluster.Gateway.Models;
using Orleans.Streams;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Subscribes this gateway to the cluster's catalog-change stream and hands every change to <see cref="ModelNameCache"/>
/// (a renamed, moved or deleted name is resolved afresh) and to <see cref="McpSessions"/>. A change made through any
/// gateway (or by a silo's own health loop) thereby reaches name resolution and MCP sessions on every gateway.
/// It also sweeps the session registry once a minute (see <see cref="McpSessions.SweepAsync"/>).
/// </summary>
public sealed class CatalogChangeListener(IClusterClient cluster, McpSessions sessions, ModelNameCache names, ILogger<CatalogChangeListener> logger)
    : BackgroundService
{
    private StreamSubscriptionHandle<CatalogChange>? _subscription;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The co-hosted silo (or, for a client gateway, the connection to the cluster) may still be starting.
        while (!stoppingToken.IsCancellationRequested && _subscription is null)
        {
            try
            {
                var stream = cluster.GetStreamProvider(ChangeStreams.Provider)
                    .GetStream<CatalogChange>(StreamId.Create(ChangeStreams.Namespace, ChangeStreams.Key));
                _subscription = await stream.SubscribeAsync(async (change, _) =>
                {
                    names.Invalidate(change);
                    if (sessions.Count > 0)
                    {
                        await sessions.NotifyAsync(change);
                    }
                });
                names.StartListening();
                logger.LogInformation("Listening for catalog changes to notify MCP sessions and name resolution");
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug(e, "Subscribing to catalog changes failed; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
        // Then, for as long as the gateway runs, tidy the session registry once a minute.
        using var sweep = new PeriodicTimer(TimeSpan.FromMinutes(1));
        try
        {
            while (await sweep.WaitForNextTickAsync(stoppingToken))
            {
                await sessions.SweepAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_subscription is { } subscription)
        {
            try
            {
                await subscription.UnsubscribeAsync();
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Unsubscribing from catalog changes failed");
            }
        }
        await base.StopAsync(cancellationToken);
    }
}
