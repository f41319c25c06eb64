using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Models.Hosted.Placement;

/// <summary>
/// Tells the ledger what this silo offers hosted models once the silo is active, and again every
/// <see cref="SiloResourceOptions.AnnounceInterval"/>: a ledger reactivated elsewhere, or one that forgot this silo
/// while it looked gone, learns it again within one interval. A failed declaration is logged and retried next tick.
/// </summary>
public sealed class SiloResourceAnnouncer(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IOptions<SiloResourceOptions> options,
    TimeProvider time,
    ILogger<SiloResourceAnnouncer> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private CancellationTokenSource? _stopping;
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloResourceAnnouncer), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = new CancellationTokenSource();
        var resources = new SiloResources(silo.SiloAddress, options.Value.Gpu, options.Value.ModelMemoryBytes());
        logger.LogInformation("Silo {Silo} offers hosted models {Gpus} GPU(s) and {ModelMemory} of model memory",
            silo.SiloAddress, resources.Gpus, ByteSize.Format(resources.ModelMemoryBytes));
        // Not awaited: the silo need not wait for the ledger to start, and the first tick declares at once.
        _loop = AnnounceAsync(resources, _stopping.Token);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null)
        {
            return;
        }
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
        _stopping = null;
    }

    private async Task AnnounceAsync(SiloResources resources, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.Value.AnnounceInterval, time);
        do
        {
            try
            {
                await grains.GetGrain<IModelPlacementGrain>(0).DeclareAsync(resources).WaitAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Declaring this silo's resources to the placement ledger failed; retrying in {Interval}", options.Value.AnnounceInterval);
            }
        }
        while (await Tick(timer, stopping));
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stopping)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
