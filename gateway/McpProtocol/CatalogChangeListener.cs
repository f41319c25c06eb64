using System.Threading.Channels;
using Mcp.Cluster.Changes;
using Mcp.Cluster.Gateway.Models;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Subscribes this gateway to the cluster's catalog-change stream and hands every change to <see cref="ModelNameCache"/>
/// (a renamed, moved or deleted name is resolved afresh) and to <see cref="McpSessions"/>. A change made through any
/// gateway (or by a silo's own health loop) thereby reaches name resolution and MCP sessions on every gateway.
/// <para>
/// The subscription heals itself. A silo that cannot reach a consumer (its silo or connection died under it) removes
/// the subscription from the stream's registry for good and tells nobody, so every
/// <see cref="McpNotificationOptions.SubscriptionCheckInterval"/> the gateway asks the registry whether its
/// subscription is still there, and subscribes again when it is not (at once, too, when the stream reports an error).
/// Each subscription carries a generation and only the newest one delivers, so a replaced subscription that still
/// works never notifies a session twice. The state is in <see cref="CatalogSubscriptionStatus"/> (readiness, metrics).
/// </para>
/// It also sweeps the session registry once a minute (see <see cref="McpSessions.SweepAsync"/>).
/// </summary>
public sealed class CatalogChangeListener(IClusterClient cluster, McpSessions sessions, ModelNameCache names, CatalogSubscriptionStatus status,
    IOptions<McpNotificationOptions> options, TimeProvider time, ILogger<CatalogChangeListener> logger)
    : BackgroundService
{
    // Not disposed: a host that failed to start disposes its services before stopping them, and a SemaphoreSlim
    // whose wait handle is never asked for holds nothing to release.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private StreamSubscriptionHandle<CatalogChange>? _subscription;
    private int _generation;

    /// <summary>The id of the subscription that delivers now; null while not subscribed.</summary>
    public Guid? SubscriptionId => _subscription?.HandleId;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(WatchAsync(stoppingToken), SweepAsync(stoppingToken));

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var fine = await CheckAsync(stoppingToken);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var delay = Task.Delay(fine ? options.Value.SubscriptionCheckInterval : options.Value.RetryDelay, time, wait.Token);
                await Task.WhenAny(delay, _wake.Reader.ReadAsync(wait.Token).AsTask());
                await wait.CancelAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Subscribes when not subscribed, else asks the cluster whether the subscription is still registered and
    /// subscribes again when it is not. True when subscribed and confirmed.
    /// </summary>
    public async Task<bool> CheckAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_subscription is not { } current)
            {
                return await SubscribeAsync(cancellationToken);
            }
            IList<StreamSubscriptionHandle<CatalogChange>> registered;
            try
            {
                registered = await Stream().GetAllSubscriptionHandles().WaitAsync(options.Value.CallTimeout, time, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                status.CheckFailed($"{e.GetType().Name}: {e.Message}");
                var failed = status.Current.FailedChecks;
                logger.Log(failed >= options.Value.UnverifiedAfterFailedChecks ? LogLevel.Warning : LogLevel.Debug, e,
                    "Checking this gateway's catalog-change subscription failed ({Failed} in a row)", failed);
                return false;
            }
            if (registered.Any(h => h.HandleId == current.HandleId))
            {
                status.Verified();
                return true;
            }
            return await ReplaceAsync(current, "the cluster dropped this gateway's subscription", cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Subscribes anew and retires the current subscription, whether or not it still works.</summary>
    public async Task<bool> ResubscribeAsync(string reason, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _subscription is { } current ? await ReplaceAsync(current, reason, cancellationToken) : await SubscribeAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> ReplaceAsync(StreamSubscriptionHandle<CatalogChange> current, string reason, CancellationToken cancellationToken)
    {
        logger.LogWarning("Catalog changes no longer reach this gateway's MCP sessions ({Reason}; subscription {SubscriptionId}); subscribing again",
            reason, current.HandleId);
        _subscription = null;
        status.Lost(reason);
        var subscribed = await SubscribeAsync(cancellationToken);
        // The old handle's deliveries are already ignored (its generation is past); unsubscribing only tidies the registry.
        _ = UnsubscribeQuietlyAsync(current);
        return subscribed;
    }

    private async Task<bool> SubscribeAsync(CancellationToken cancellationToken)
    {
        // Set before subscribing: from now on, only the subscription made here delivers.
        var generation = Interlocked.Increment(ref _generation);
        var subscribing = Stream().SubscribeAsync(
            (change, _) => DeliverAsync(generation, change),
            error => OnStreamErrorAsync(generation, error),
            () => OnStreamErrorAsync(generation, null));
        try
        {
            _subscription = await subscribing.WaitAsync(options.Value.CallTimeout, time, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // A subscription that completes after all is never used: take it out of the registry then.
            _ = subscribing.ContinueWith(t => UnsubscribeQuietlyAsync(t.Result), CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            status.Lost($"subscribing failed: {e.GetType().Name}: {e.Message}");
            logger.Log(status.Current.Phase == CatalogSubscriptionPhase.Starting ? LogLevel.Debug : LogLevel.Warning, e,
                "Subscribing to catalog changes failed; retrying");
            return false;
        }
        var again = status.Current.Phase == CatalogSubscriptionPhase.Lost;
        status.Subscribed();
        names.StartListening();
        if (again)
        {
            logger.LogWarning("Subscribed to catalog changes again (subscription {SubscriptionId}); MCP sessions are notified again", _subscription.HandleId);
        }
        else
        {
            logger.LogInformation("Listening for catalog changes to notify MCP sessions and name resolution");
        }
        return true;
    }

    private async Task DeliverAsync(int generation, CatalogChange change)
    {
        if (generation != Volatile.Read(ref _generation))
        {
            return;
        }
        names.Invalidate(change);
        if (sessions.Count > 0)
        {
            await sessions.NotifyAsync(change);
        }
    }

    private Task OnStreamErrorAsync(int generation, Exception? error)
    {
        if (generation == Volatile.Read(ref _generation))
        {
            logger.LogWarning(error, "The catalog-change stream reported {What}; checking the subscription now", error is null ? "its end" : "an error");
            _wake.Writer.TryWrite(true);
        }
        return Task.CompletedTask;
    }

    private async Task UnsubscribeQuietlyAsync(StreamSubscriptionHandle<CatalogChange> handle)
    {
        try
        {
            await handle.UnsubscribeAsync().WaitAsync(options.Value.CallTimeout, time);
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Unsubscribing from catalog changes failed");
        }
    }

    private IAsyncStream<CatalogChange> Stream() => cluster.GetStreamProvider(ChangeStreams.Provider)
        .GetStream<CatalogChange>(StreamId.Create(ChangeStreams.Namespace, ChangeStreams.Key));

    /// <summary>For as long as the gateway runs, tidies the session registry once a minute.</summary>
    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        using var sweep = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
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
        // The watch loop first: a check running while the subscription is removed would find it gone and subscribe again.
        await base.StopAsync(cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Interlocked.Increment(ref _generation);
            if (_subscription is { } subscription)
            {
                _subscription = null;
                await UnsubscribeQuietlyAsync(subscription);
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
