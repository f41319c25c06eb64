using Mcp.Cluster.Models.Backends;
using Mcp.Cluster.Models.Hosted.Placement;
using Mcp.Cluster.Models.Hosted.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// One loaded ONNX session, on the silo the placement ledger chose for it (<see cref="HostedModelPlacementAttribute"/>
/// sends the activation there). It loads on its first run, holds its memory in the ledger while loaded, gathers
/// concurrent runs into batches of up to <see cref="HostedSessionSpec.BatchSize"/>, and unloads when idle for
/// <see cref="HostedModelOptions.IdleUnload"/> or when told to. Reentrant: runs wait on the batcher, not on each other.
/// </summary>
[GrainType("hosted-model")]
[HostedModelPlacement]
[Reentrant]
public sealed class HostedModelGrain(
    ModelArtifactPaths paths,
    IOptions<HostedModelOptions> options,
    ILocalSiloDetails silo,
    TimeProvider time,
    ILogger<HostedModelGrain> logger) : Grain, IHostedModelGrain
{
    private readonly HostedModelOptions _options = options.Value;
    private Task<Loaded>? _loading;
    private DateTimeOffset _lastUsed;
    private IGrainTimer? _idleTimer;
    private bool _held;

    private string SessionKey => this.GetPrimaryKeyString();

    private IModelPlacementGrain Ledger => GrainFactory.GetGrain<IModelPlacementGrain>(0);

    public async Task<TensorItem[]> RunAsync(HostedSessionSpec spec, TensorItem[] items, CancellationToken cancellationToken)
    {
        if (spec.SessionKey != SessionKey)
        {
            throw new ArgumentException($"This host runs session {SessionKey}, not {spec.SessionKey}.");
        }
        _lastUsed = time.GetUtcNow();
        if (_loading is { IsFaulted: true } or { IsCanceled: true })
        {
            _loading = null;
        }
        var loaded = await (_loading ??= LoadAsync(spec));
        ItemOutcome[] outcomes;
        try
        {
            outcomes = await loaded.Batcher.SubmitAsync(items, cancellationToken);
        }
        catch (ObjectDisposedException e)
        {
            throw new HostedModelUnavailableException($"Model {spec.ModelId}'s session is unloading; try again shortly.", e);
        }
        catch (BatchQueueFullException e)
        {
            throw new HostedModelUnavailableException($"Model {spec.ModelId} has {_options.MaxQueuedItems} inputs waiting; try again shortly.", e);
        }
        catch (ArgumentException e)
        {
            // The executor maps inputs from the same signature; a mismatch here is the caller's input.
            throw new HostedInputRejectedException(e.Message);
        }
        finally
        {
            _lastUsed = time.GetUtcNow();
        }
        var outputs = new TensorItem[outcomes.Length];
        for (var i = 0; i < outcomes.Length; i++)
        {
            outputs[i] = outcomes[i].Output ?? throw new HostedInputRejectedException(outcomes[i].Error!, items.Length > 1 ? i : null);
        }
        return outputs;
    }

    /// <summary>
    /// One ONNX run for the gathered items; when it refuses them, each item runs alone, so an input that does not fit
    /// (a shape the others lack, a token id beyond the vocabulary) fails only its own call, never the callers it was
    /// gathered with, and nothing of it counts against the model's breaker.
    /// </summary>
    private static ItemOutcome[] RunIsolated(OnnxModelSession session, IReadOnlyList<TensorItem> batch, OutputPooling? pooling)
    {
        try
        {
            var outputs = session.Run(batch, pooling);
            var outcomes = new ItemOutcome[outputs.Length];
            for (var i = 0; i < outputs.Length; i++)
            {
                outcomes[i] = new ItemOutcome(outputs[i], null);
            }
            return outcomes;
        }
        catch (ArgumentException) when (batch.Count > 1)
        {
            var outcomes = new ItemOutcome[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                try
                {
                    outcomes[i] = new ItemOutcome(session.Run([batch[i]], pooling)[0], null);
                }
                catch (ArgumentException e)
                {
                    outcomes[i] = new ItemOutcome(null, e.Message);
                }
            }
            return outcomes;
        }
    }

    private readonly record struct ItemOutcome(TensorItem? Output, string? Error);

    public Task UnloadAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _idleTimer?.Dispose();
        var loading = _loading;
        _loading = null;
        if (loading is { IsCompletedSuccessfully: true })
        {
            var loaded = await loading;
            await loaded.Batcher.DisposeAsync();
            loaded.Session.Dispose();
            logger.LogInformation("Session {SessionKey} unloaded ({Reason})", SessionKey, reason.Description);
            Report(loaded.Spec.ModelId, null);
        }
        else if (loading is { IsCompleted: false })
        {
            // Deactivated mid-load (a silo shutting down): the session is freed when its load ends, off this grain.
            _ = loading.ContinueWith(static async t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    await t.Result.Batcher.DisposeAsync();
                    t.Result.Session.Dispose();
                }
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
        if (_held)
        {
            try
            {
                await Ledger.ReleaseAsync(SessionKey, silo.SiloAddress);
            }
            catch (Exception e)
            {
                // The ledger drops a dead silo's sessions; a live one's stale hold lapses when this host is placed again.
                logger.LogWarning(e, "Session {SessionKey} could not release its memory in the placement ledger", SessionKey);
            }
        }
    }

    private async Task<Loaded> LoadAsync(HostedSessionSpec spec)
    {
        var decision = await Ledger.ConfirmAsync(SessionKey, silo.SiloAddress, spec.Requirement);
        if (decision.Silo is null || !decision.Silo.Equals(silo.SiloAddress))
        {
            DeactivateOnIdle();
            throw new HostedModelUnavailableException(
                $"Model {spec.ModelId} cannot load on silo {silo.SiloAddress}: {decision.Unschedulable ?? $"it is placed on {decision.Silo}"}. Try again shortly.");
        }
        _held = true;
        OnnxModelSession session;
        try
        {
            var (model, _) = ModelArtifactInspector.Files(paths.Resolve(spec.Artifact));
            var (threads, spinning) = (_options.IntraOpThreads, _options.AllowSpinning);
            // Loading reads and optimizes the whole file: thread-pool work that touches nothing of this grain.
            session = await Task.Run(() => OnnxModelSession.Load(model, spec.Device, threads, spinning));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Session {SessionKey} of model {ModelId} failed to load", SessionKey, spec.ModelId);
            DeactivateOnIdle();
            throw new ModelBackendException(e is OnnxDeviceUnavailableException
                ? $"The model cannot run on silo {silo.SiloAddress}: {e.Message}"
                : $"The model file does not load: {e.Message}");
        }
        var concurrency = _options.MaxConcurrentRuns == 0 ? Environment.ProcessorCount : _options.MaxConcurrentRuns;
        var batchSize = session.Batchable ? spec.BatchSize : 1;
        var batcher = new DynamicBatcher<TensorItem, ItemOutcome>(batchSize, spec.BatchWait, concurrency, _options.MaxQueuedItems,
            batch => RunIsolated(session, batch, spec.Pooling), time);
        var loaded = new Loaded(spec, session, batcher, batchSize, time.GetUtcNow());
        logger.LogInformation("Session {SessionKey} of model {ModelId} loaded on {Silo} in {LoadMs:0} ms ({Device}, ~{MemoryMb:0} MB)",
            SessionKey, spec.ModelId, silo.SiloAddress, session.LoadTime.TotalMilliseconds, spec.Device, session.MemoryBytes / 1e6);
        // Checks for idleness, and reports the counters when they moved (the model's status shows them).
        var check = TimeSpan.FromTicks(Math.Clamp(_options.IdleUnload.Ticks / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromSeconds(5).Ticks));
        var reported = 0L;
        _idleTimer = this.RegisterGrainTimer(_ =>
            {
                if (time.GetUtcNow() - _lastUsed >= _options.IdleUnload)
                {
                    DeactivateOnIdle();
                }
                else if (batcher.Counters.Items is var items && items != reported)
                {
                    reported = items;
                    Report(spec.ModelId, loaded);
                }
                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions(check, check) { KeepAlive = false });
        Report(spec.ModelId, loaded);
        return loaded;
    }

    /// <summary>The model grain shows the session in the model's status; one-way, a host never waits on it.</summary>
    private void Report(string modelId, Loaded? loaded) =>
        GrainFactory.GetGrain<IModelGrain>(modelId).HostReportAsync(SessionKey, loaded is null ? null : new HostedSessionStatus(
            SessionKey, silo.SiloAddress, loaded.Spec.Device, loaded.LoadedAt, loaded.Session.LoadTime.TotalMilliseconds,
            loaded.Session.MemoryBytes, loaded.Spec.Requirement.MemoryBytes, loaded.BatchSize,
            loaded.Batcher.Counters.Runs, loaded.Batcher.Counters.Items, loaded.Batcher.Counters.LargestBatch)).Ignore();

    private sealed record Loaded(HostedSessionSpec Spec, OnnxModelSession Session, DynamicBatcher<TensorItem, ItemOutcome> Batcher, int BatchSize, DateTimeOffset LoadedAt);
}
