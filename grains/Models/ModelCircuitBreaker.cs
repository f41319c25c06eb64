namespace Mcp.Cluster.Models;

/// <summary>
/// One model's circuit breaker: closed while calls succeed; open for <see cref="ModelGrainOptions.CircuitBreakDuration"/>
/// after <see cref="ModelGrainOptions.CircuitFailureThreshold"/> consecutive failures (or a failed trial); then half-open,
/// letting one trial call through whose outcome closes or reopens it. Owned by the model grain and used on its
/// scheduler only; every method that changes what executors must obey says so by its answer.
/// </summary>
public sealed class ModelCircuitBreaker(ModelGrainOptions options, TimeProvider time)
{
    private DateTimeOffset _openUntil;
    private bool _trialInFlight;

    public CircuitState State { get; private set; } = CircuitState.Closed;

    public int ConsecutiveFailures { get; private set; }

    /// <summary>
    /// Whether a call may go now: null when it may, else the refusal. With <paramref name="takeTrial"/>, a breaker whose
    /// break is over lets this call through as its trial (<paramref name="trial"/>), which changes the decision.
    /// </summary>
    public ModelRefusal? Admit(string displayName, string? lastError, bool takeTrial, out bool trial)
    {
        trial = false;
        var now = time.GetUtcNow();
        switch (State)
        {
            case CircuitState.Open when now < _openUntil || !takeTrial:
                return new ModelRefusal(PredictionOutcome.Unavailable,
                    $"Model {displayName} is paused after {ConsecutiveFailures} consecutive failures (last: {lastError}).", Until: _openUntil);
            case CircuitState.Open:
                State = CircuitState.HalfOpen;
                _trialInFlight = true;
                trial = true;
                return null;
            case CircuitState.HalfOpen when _trialInFlight || !takeTrial:
                return new ModelRefusal(PredictionOutcome.Unavailable,
                    $"Model {displayName} is being probed after repeated failures; try again shortly.", Until: now + TimeSpan.FromSeconds(1));
            case CircuitState.HalfOpen:
                _trialInFlight = true;
                trial = true;
                return null;
            default:
                return null;
        }
    }

    /// <summary>Calls answered; true when this closed the breaker (a trial passed).</summary>
    public bool Succeeded()
    {
        ConsecutiveFailures = 0;
        if (State == CircuitState.Closed)
        {
            return false;
        }
        Close();
        return true;
    }

    /// <summary>Calls failed; true when this opened the breaker.</summary>
    public bool Failed()
    {
        ConsecutiveFailures++;
        var trip = State == CircuitState.HalfOpen || ConsecutiveFailures >= options.CircuitFailureThreshold;
        if (!trip || State == CircuitState.Open)
        {
            return false;
        }
        State = CircuitState.Open;
        _openUntil = time.GetUtcNow() + options.CircuitBreakDuration;
        _trialInFlight = false;
        return true;
    }

    /// <summary>The trial's call ended without saying anything about the model (cancelled, refused input, could not start).</summary>
    public void ReleaseTrial() => _trialInFlight = false;

    /// <summary>Starts over (new credentials or endpoint).</summary>
    public void Close()
    {
        State = CircuitState.Closed;
        ConsecutiveFailures = 0;
        _trialInFlight = false;
    }
}
