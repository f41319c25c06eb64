using Mcp.Cluster.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Mcp.Cluster.Gateway.Cluster;

/// <summary>
/// Ends a long grain call as soon as the silo running it has left the cluster. Predictions carry a response timeout of
/// minutes (a backend may legitimately take that long), and Orleans' client does not fail calls whose silo died, so a
/// prediction in flight to a killed silo went unanswered for its whole timeout. While such a call runs, every
/// <see cref="SiloLossGuardOptions.Interval"/> this looks up the silo of the grain's activation and, once membership
/// no longer lists that silo as active, cancels the call (which also cancels the provider call, were it still running)
/// and fails it with <see cref="SiloUnavailableException"/>, which the gateway answers with 503. A check that fails
/// (the silo asked is unreachable too) is skipped, never the call's failure. When the directory does not know the
/// activation (its entry went with a dead silo, which is how a call to a killed silo usually looks by the time the
/// first check runs; a stateless worker such as a model's executor never has one), the call is failed once a silo
/// that was a member while it ran has left: it may have been the one running it, and a retry is cheaper than a hang
/// of the whole response timeout. When checks failed before the
/// first one succeeded (the silo asked was the one dying), a silo already declared dead by then counts as having left
/// while the call ran. Either rule may fail a call that ran on a silo that lived: it gets a 503 to retry.
/// </summary>
public sealed class SiloLossGuard(IGrainFactory grains, IOptions<SiloLossGuardOptions> options, IOptions<McpClusterOptions> cluster,
    TimeProvider time, ILogger<SiloLossGuard> logger)
{
    private readonly bool _enabled = cluster.Value.Mode == ClusterMode.Postgres && options.Value.Interval > TimeSpan.Zero;

    public async Task<T> RunAsync<T>(IAddressable grain, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            return await call(cancellationToken);
        }
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = call(cancel.Token);
        var management = grains.GetGrain<IManagementGrain>(0);
        SiloAddress? host = null;
        HashSet<SiloAddress>? membersWhileRunning = null;
        var statelessWorker = false;
        var checkFailed = false;
        while (true)
        {
            var tick = Task.Delay(options.Value.Interval, time, cancellationToken);
            if (await Task.WhenAny(running, tick) == running)
            {
                return await running;
            }
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var hosts = await management.GetHosts(onlyActive: false).WaitAsync(options.Value.CheckTimeout, time, cancellationToken);
                var active = hosts.Where(h => h.Value == SiloStatus.Active).Select(h => h.Key).ToHashSet();
                // A first check that only succeeded after others failed may already find the silo that failed them
                // declared dead: then a dead silo in the table is the only trace of it.
                var deadSinceFailure = membersWhileRunning is null && checkFailed && hosts.Any(h => h.Value == SiloStatus.Dead);
                membersWhileRunning ??= [.. hosts.Where(h => h.Value != SiloStatus.Dead).Select(h => h.Key)];
                if (host is null && !statelessWorker)
                {
                    try
                    {
                        host = await management.GetActivationAddress(grain).AsTask().WaitAsync(options.Value.CheckTimeout, time, cancellationToken);
                    }
                    catch (InvalidOperationException)
                    {
                        // A stateless worker (a model's executor) has no directory entry: it runs on the silo the call
                        // reached, which only the membership rules below can speak for.
                        statelessWorker = true;
                    }
                }
                var lost = host is not null ? !active.Contains(host) : deadSinceFailure || !membersWhileRunning.All(active.Contains);
                if (!lost)
                {
                    continue;
                }
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                checkFailed = true;
                continue;
            }
            logger.LogWarning("Silo {Silo} left the cluster while running a call to {Grain}; failing the call", (object?)host ?? "(unknown)", grain.GetGrainId());
            await cancel.CancelAsync();
            // The abandoned call ends by itself (cancelled at once by Orleans); observe it so its fault is not unobserved.
            _ = running.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw new SiloUnavailableException(host is null
                ? "A silo left the cluster while running this call, and the call's activation can no longer be found."
                : $"Silo {host} left the cluster while running this call.");
        }
    }
}
