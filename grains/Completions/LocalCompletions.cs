using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.Completions;

/// <summary>
/// The completions this silo's model executors are streaming, reachable from other silos through one observer
/// reference (<see cref="Control"/>), which the executors hand to the model grain with each completion's start.
/// The reference is created when the silo starts: Orleans creates observer references only outside grain calls.
/// </summary>
public sealed class LocalCompletions(IGrainFactory grains, ILogger<LocalCompletions> logger)
    : ICompletionControl, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ConcurrentDictionary<string, Action> _running = new(StringComparer.Ordinal);

    /// <summary>This silo's control; null until the silo has started.</summary>
    public ICompletionControl? Control { get; private set; }

    /// <summary>
    /// Makes <paramref name="cancel"/> what a cancel of <paramref name="completionId"/> runs until the returned
    /// registration is disposed; null when this silo streams a completion with that id already.
    /// </summary>
    public IDisposable? TryRegister(string completionId, Action cancel) =>
        _running.TryAdd(completionId, cancel) ? new Registration(this, completionId, cancel) : null;

    public Task CancelAsync(string completionId)
    {
        if (_running.TryGetValue(completionId, out var cancel))
        {
            logger.LogInformation("Cancelling completion {CompletionId}", completionId);
            cancel();
        }
        return Task.CompletedTask;
    }

    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(nameof(LocalCompletions), ServiceLifecycleStage.ApplicationServices,
        _ =>
        {
            Control = grains.CreateObjectReference<ICompletionControl>(this);
            return Task.CompletedTask;
        },
        _ =>
        {
            if (Control is not null)
            {
                grains.DeleteObjectReference<ICompletionControl>(Control);
            }
            return Task.CompletedTask;
        });

    private sealed class Registration(LocalCompletions owner, string completionId, Action cancel) : IDisposable
    {
        public void Dispose() => owner._running.TryRemove(new KeyValuePair<string, Action>(completionId, cancel));
    }
}
