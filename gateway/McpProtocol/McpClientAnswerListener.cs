using Mcp.Cluster.Changes;
using Mcp.Cluster.McpSessions;
using Orleans.Streams;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Subscribes this gateway to the <see cref="McpClientAnswers"/> stream and hands every answer addressed to it to
/// <see cref="McpClientRequests"/>: a client's answer to a request this gateway sent, posted to another gateway.
/// </summary>
public sealed class McpClientAnswerListener(IClusterClient cluster, McpClientRequests requests, ILogger<McpClientAnswerListener> logger) : BackgroundService
{
    private StreamSubscriptionHandle<McpClientAnswer>? _subscription;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The co-hosted silo (or, for a client gateway, the connection to the cluster) may still be starting.
        while (!stoppingToken.IsCancellationRequested && _subscription is null)
        {
            try
            {
                _subscription = await cluster.GetStreamProvider(ChangeStreams.Provider)
                    .GetStream<McpClientAnswer>(StreamId.Create(McpClientAnswers.Namespace, McpClientAnswers.Key))
                    .SubscribeAsync((answer, _) =>
                    {
                        if (answer.GatewayId == requests.GatewayId)
                        {
                            requests.Accept(answer.SessionId, answer.RequestId, answer.Json);
                        }
                        return Task.CompletedTask;
                    });
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug(e, "Subscribing to client answers failed; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
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
