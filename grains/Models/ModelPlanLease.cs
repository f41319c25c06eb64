namespace Mcp.Cluster.Models;

/// <summary>
/// The <see cref="ModelExecutionPlan"/> an executor follows and how long it may follow it without asking again
/// (<see cref="ModelGrainOptions.ExecutorPlanLease"/>). Versions only grow: a plan older than one already seen from the
/// same model grain activation (a report's reply or an ask that left before a change and arrived after it) never brings
/// back the old decision. A plan from another activation is followed whatever its version: versions of two activations
/// say nothing of each other, and the one answering now is the one to follow (a late plan of a gone activation is
/// followed at most until the lease ends). A trial plan admits one call; its outcome, not a new question, decides what
/// comes next. Used on the executor's scheduler only.
/// </summary>
public sealed class ModelPlanLease(TimeSpan lease, TimeProvider time, Func<Task<ModelExecutionPlan>> ask)
{
    private ModelExecutionPlan? _plan;
    private DateTimeOffset _expires;
    private long _newestVersion = long.MinValue;
    private long _issuer;
    private Task<ModelExecutionPlan>? _asking;
    private bool _trialTaken;

    /// <summary>
    /// The plan to follow now: the held one while its lease lasts and no refusal in it has lapsed, else the model
    /// grain's (one question, shared by the calls that arrive meanwhile). <paramref name="forCall"/>: a call will follow it.
    /// </summary>
    public Task<ModelExecutionPlan> CurrentAsync(bool forCall)
    {
        var now = time.GetUtcNow();
        var plan = _plan;
        var lapsed = plan is not null && (now >= _expires
            || plan.Admission?.Until is { } until && now >= until
            || plan.Trial && _trialTaken && forCall);
        if (plan is not null && !lapsed)
        {
            return Task.FromResult(plan);
        }
        if (plan is { Trial: true } && _trialTaken && forCall)
        {
            return Task.FromResult(plan);
        }
        return _asking ??= AskAsync();

        async Task<ModelExecutionPlan> AskAsync()
        {
            try
            {
                var fresh = await ask();
                Follow(fresh);
                if (_plan is null)
                {
                    // The answer was older than a plan seen meanwhile, which was then forgotten: ask once more.
                    fresh = await ask();
                    Follow(fresh);
                }
                return _plan ?? fresh;
            }
            finally
            {
                _asking = null;
            }
        }
    }

    /// <summary>Follows <paramref name="plan"/> unless a newer one of the same activation was seen.</summary>
    public void Follow(ModelExecutionPlan plan)
    {
        if (plan.Issuer == _issuer && plan.Version < _newestVersion)
        {
            return;
        }
        _issuer = plan.Issuer;
        _newestVersion = plan.Version;
        _plan = plan;
        _expires = time.GetUtcNow() + lease;
        _trialTaken = false;
    }

    /// <summary>Drops the held plan so the next call asks; a trial granted here stays, its outcome is awaited.</summary>
    public void Forget()
    {
        if (_plan is not { Trial: true })
        {
            _plan = null;
        }
    }

    /// <summary>The plan's admission for one call; a trial plan admits its first call only.</summary>
    public ModelRefusal? Admit(ModelExecutionPlan plan)
    {
        if (plan.Admission is { } refusal)
        {
            return refusal;
        }
        if (plan.Trial)
        {
            if (_trialTaken)
            {
                return new ModelRefusal(PredictionOutcome.Unavailable,
                    $"Model {plan.DisplayName} is being probed after repeated failures; try again shortly.", TimeSpan.FromSeconds(1));
            }
            _trialTaken = true;
        }
        return null;
    }
}
