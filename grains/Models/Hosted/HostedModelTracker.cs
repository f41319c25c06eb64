namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// A hosted model's side of its <see cref="ModelGrain"/> (one per activation, used on the grain's scheduler only):
/// the session its definition calls for, where the placement ledger put it or why it could not, and the loaded
/// session's figures as its host reports them. The model grain decides with it; the ledger keeps the cluster's count.
/// </summary>
public sealed class HostedModelTracker(HostedModelOptions options, TimeProvider time)
{
    private HostedSessionSpec? _spec;
    private string? _mismatch;
    private string? _placedKey;
    private PlacementDecision? _placement;
    private DateTimeOffset _placedAt;
    private Task? _placing;
    private HostedSessionStatus? _session;

    public HostedSessionSpec? Spec => _spec;

    /// <summary>The silo and session executors send runs to, once placed.</summary>
    public HostedPlan? Plan => _spec is { } spec && _placedKey == spec.SessionKey && _placement?.Silo is { } silo ? new HostedPlan(spec, silo) : null;

    public string? Unschedulable => _spec is { } spec && _placedKey == spec.SessionKey ? _placement?.Unschedulable : null;

    /// <summary>The definition changed (or the grain activated): the session it calls for, or none.</summary>
    public void Define(string modelId, PreparedModel? prepared, HostedArtifact? artifact)
    {
        _mismatch = null;
        if (prepared?.Onnx is not { } settings || artifact is null)
        {
            _spec = null;
            return;
        }
        _mismatch = HostedSessionPlanner.Mismatch(artifact, prepared.Task, settings);
        _spec = _mismatch is null
            ? HostedSessionPlanner.Spec(modelId, artifact, prepared.Task, settings, prepared.Hosting ?? ModelHosting.Read(new Backends.ModelConfig(new())), options)
            : null;
    }

    /// <summary>Whether the ledger should be asked (again) before the next plan: never asked for this session, or long enough ago.</summary>
    public bool NeedsPlacement => _spec is { } spec && (_placedKey != spec.SessionKey || time.GetUtcNow() - _placedAt >= options.PlacementRecheck);

    /// <summary>Asks the ledger where the session runs; calls arriving meanwhile share the one question.</summary>
    public Task PlaceAsync(IModelPlacementGrain ledger)
    {
        if (_placing is { IsCompleted: false } placing)
        {
            return placing;
        }
        return _placing = AskAsync();

        async Task AskAsync()
        {
            if (_spec is not { } spec)
            {
                return;
            }
            var decision = await ledger.PlaceAsync(spec.SessionKey, spec.Requirement);
            // The definition may have changed while the ledger answered; an answer for an old session is dropped.
            if (_spec?.SessionKey == spec.SessionKey)
            {
                _placedKey = spec.SessionKey;
                _placement = decision;
                _placedAt = time.GetUtcNow();
            }
        }
    }

    /// <summary>
    /// The health loop's look at placement, which never reserves for a model nobody calls: a placed session is placed
    /// again (kept while its silo lives, moved when it left, unschedulable when no silo fits any more); any other is
    /// only checked, so the status says whether it could run (unschedulable, with the reason) and its next call places it.
    /// </summary>
    public async Task RecheckAsync(IModelPlacementGrain ledger)
    {
        if (_spec is not { } spec)
        {
            return;
        }
        if (_placedKey == spec.SessionKey && _placement?.Silo is not null)
        {
            await PlaceAsync(ledger);
            return;
        }
        var check = await ledger.CheckAsync(spec.SessionKey, spec.Requirement);
        if (_spec?.SessionKey != spec.SessionKey)
        {
            return;
        }
        if (check.Silo is not null)
        {
            ForgetPlacement();
        }
        else
        {
            _placedKey = spec.SessionKey;
            _placement = check;
            _placedAt = time.GetUtcNow();
        }
    }

    /// <summary>Forgets the placement (the host unloaded, or an executor found its silo gone): the next plan asks again.</summary>
    public void ForgetPlacement() => _placedKey = null;

    /// <summary>A host's report: its session loaded (figures) or unloaded (null). Reports of other sessions are dropped.</summary>
    public bool HostReported(string sessionKey, HostedSessionStatus? status)
    {
        if (_spec?.SessionKey != sessionKey)
        {
            return false;
        }
        _session = status;
        if (status is null)
        {
            // Its memory went back to the silo; a later call may be placed elsewhere.
            ForgetPlacement();
        }
        return true;
    }

    /// <summary>Why no call can run now, or null: no file yet, a file that does not suit the model, or nowhere to run it.</summary>
    public ModelRefusal? Refusal(string displayName, string modelId, HostedArtifact? artifact)
    {
        if (artifact is null)
        {
            return new ModelRefusal(PredictionOutcome.NotDeployed,
                $"Model {displayName} ({modelId}) has no model file yet. Upload one with PUT /api/models/{modelId}/artifact " +
                "(an .onnx file, or a zip holding model.onnx and vocab.txt), or set config.model_path to a file in the models directory.");
        }
        if (_mismatch is { } mismatch)
        {
            return new ModelRefusal(PredictionOutcome.ModelError, $"Model {displayName} cannot run its file: {mismatch}");
        }
        if (Unschedulable is { } reason)
        {
            return new ModelRefusal(PredictionOutcome.Unavailable, $"Model {displayName} is unschedulable: {reason}", options.PlacementRecheck);
        }
        return null;
    }

    public Models.Hosted.ModelHostingReport Report(HostedArtifact? artifact) =>
        new(artifact, _spec?.Requirement, Plan?.Silo, Unschedulable ?? _mismatch, _session?.SessionKey == _spec?.SessionKey ? _session : null);
}
