using Mcp.Cluster.Changes;
using Mcp.Cluster.McpSessions;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Subscribes this gateway to the <see cref="McpClientAnswers"/> stream and hands every answer addressed to it to
/// <see cref="McpClientRequests"/>: a client's answer to a request this gateway sent, posted to another gateway.
/// Like <see cref="CatalogChangeListener"/>, it checks every <see cref="McpNotificationOptions.SubscriptionCheckInterval"/>
/// that the cluster still lists its subscription (a silo that cannot reach a gateway drops it for good) and subscribes
/// again when it does not; answers are for this gateway alone, so a renewal cannot deliver one twice to a waiting call.
/// </summary>
public sealed class McpClientAnswerListener(
    IClusterClient cluster, McpClientRequests requests, IOptions<McpNotificationOptions> options, TimeProvider time,
    ILogger<McpClientAnswerListener> logger) : BackgroundService
{
    private StreamSubscriptionHandle<McpClientAnswer>? _subscription;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var fine = await CheckAsync(stoppingToken);
                await Task.Delay(fine ? options.Value.SubscriptionCheckInterval : options.Value.RetryDelay, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var stream = cluster.GetStreamProvider(ChangeStreams.Provider)
                .GetStream<McpClientAnswer>(StreamId.Create(McpClientAnswers.Namespace, McpClientAnswers.Key));
            if (_subscription is { } current)
            {
                var registered = await stream.GetAllSubscriptionHandles().WaitAsync(options.Value.CallTimeout, time, cancellationToken);
                if (registered.Any(h => h.HandleId == current.HandleId))
                {
                    return true;
                }
                logger.LogWarning("The cluster dropped this gateway's subscription to client answers; subscribing again");
            }
            _subscription = await stream.SubscribeAsync((answer, _) =>
            {
                if (answer.GatewayId == requests.GatewayId)
                {
                    requests.Accept(answer.SessionId, answer.RequestId, answer.Json);
                }
                return Task.CompletedTask;
            }).WaitAsync(options.Value.CallTimeout, time, cancellationToken);
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The co-hosted silo (or, for a client gateway, the connection to the cluster) may still be starting.
            logger.LogDebug(e, "Subscribing to client answers failed; retrying");
            return false;
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
                logger.LogDebug(e, "Unsubscribing from client answers failed");
            }
        }
        await base.StopAsync(cancellationToken);
    }
}
