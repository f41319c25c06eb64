using Orleans.Concurrency;

namespace Mcp.Cluster.Completions;

/// <summary>
/// One completion, keyed by its id (<c>cmpl_…</c>), from start to a while after it ends
/// (<c>Completions:RecordRetention</c>), so its status can be read and it can be cancelled from any gateway.
/// Held in memory only: a completion does not outlive the silo running its stream either.
/// </summary>
[Alias("mcp.completion")]
public interface ICompletionGrain : IGrainWithStringKey
{
    [Alias("start")]
    Task StartAsync(CompletionStart start);

    [Alias("finish")]
    Task FinishAsync(CompletionEnd end);

    [ReadOnly, AlwaysInterleave, Alias("get")]
    Task<CompletionRecord?> GetAsync();

    /// <summary>Stops a running completion, provider call included, if <paramref name="owner"/> owns it (or is an admin).</summary>
    [Alias("cancel")]
    Task<CancelCompletionOutcome> CancelAsync(string owner, bool isAdmin);
}
