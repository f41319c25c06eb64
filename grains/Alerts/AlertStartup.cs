using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Alerts;

/// <summary>
/// When a silo becomes active, starts the cluster's alert evaluator (its reminder keeps it evaluating from then on,
/// with or without traffic). Every silo does this; the evaluator is one grain, so the calls meet in one activation.
/// </summary>
public sealed class AlertStartup(IGrainFactory grains, IOptions<AlertOptions> options, ILogger<AlertStartup> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe<AlertStartup>(ServiceLifecycleStage.Active, OnStartAsync, _ => Task.CompletedTask);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            // Not awaited: silo start must not wait on the evaluator's storage.
            _ = Task.Run(async () =>
            {
                try
                {
                    await grains.GetGrain<IAlertEvaluatorGrain>(IAlertEvaluatorGrain.UsageStreamsKey).StartAsync();
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Starting the alert evaluator failed; it starts with the first usage events instead");
                }
            }, CancellationToken.None);
        }
        return Task.CompletedTask;
    }
}
