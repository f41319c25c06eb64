using Mcp.Cluster.Models;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Completions;

public sealed class CompletionGrain(IOptions<CompletionGrainOptions> options) : Grain, ICompletionGrain
{
    private CompletionStart? _start;
    private CompletionEnd? _end;
    private bool _cancelRequested;

    private string CompletionId => this.GetPrimaryKeyString();

    public Task StartAsync(CompletionStart start)
    {
        _start ??= start;
        // Running completions stay reachable however long they stream; finished ones for the retention period.
        DelayDeactivation(TimeSpan.FromDays(1));
        return Task.CompletedTask;
    }

    public Task FinishAsync(CompletionEnd end)
    {
        if (_start is null || _end is not null)
        {
            return Task.CompletedTask;
        }
        var text = end.Text is { } t && t.Length > options.Value.MaxRetainedTextChars ? t[..options.Value.MaxRetainedTextChars] : end.Text;
        _end = end with { Text = text, State = _cancelRequested && end.State != CompletionState.Completed ? CompletionState.Cancelled : end.State };
        DelayDeactivation(options.Value.RecordRetention);
        return Task.CompletedTask;
    }

    public Task<CompletionRecord?> GetAsync()
    {
        if (_start is null)
        {
            DeactivateOnIdle();
            return Task.FromResult<CompletionRecord?>(null);
        }
        return Task.FromResult<CompletionRecord?>(new CompletionRecord(CompletionId, _start, _end?.State ?? CompletionState.Running, _end));
    }

    public async Task<CancelCompletionOutcome> CancelAsync(string owner, bool isAdmin)
    {
        if (_start is null)
        {
            DeactivateOnIdle();
            return CancelCompletionOutcome.NotFound;
        }
        if (!isAdmin && !string.Equals(owner, _start.Owner, StringComparison.Ordinal))
        {
            return CancelCompletionOutcome.Forbidden;
        }
        if (_end is not null)
        {
            return CancelCompletionOutcome.AlreadyFinished;
        }
        _cancelRequested = true;
        await GrainFactory.GetGrain<IModelGrain>(_start.ModelId).CancelCompletionAsync(CompletionId);
        return CancelCompletionOutcome.Cancelling;
    }
}
