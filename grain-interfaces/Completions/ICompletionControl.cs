using Orleans.Concurrency;

namespace Mcp.Cluster.Completions;

/// <summary>
/// Reaches the completions one silo's model executors are streaming, so a cancel that arrives at the model grain
/// (from any gateway, or from a key grain whose token lease ran out) stops the provider call on the silo running it.
/// </summary>
[Alias("mcp.completion-control")]
public interface ICompletionControl : IGrainObserver
{
    /// <summary>Stops the completion with this id if this silo streams it; unknown ids are ignored.</summary>
    [OneWay, Alias("cancel")]
    Task CancelAsync(string completionId);
}
