namespace Mcp.Cluster.Completions;

/// <summary>
/// The running and recently finished completions of one model grain, so their status can be read and a running one
/// cancelled from any gateway. Kept in the model grain rather than a grain per completion: an activation per stream
/// would cost memory and more grain calls, while the model grain hears of each completion twice (its start and its
/// end, from the executor streaming it) and never of its tokens.
/// In memory only: a completion does not outlive the silo streaming it either.
/// </summary>
public sealed class CompletionLedger(CompletionRecordOptions options, TimeProvider time)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<Entry> _finished = new();

    /// <summary>Records a starting completion; false when one with this id is already known.</summary>
    public bool Start(CompletionBegin begin)
    {
        Prune();
        return _entries.TryAdd(begin.CompletionId, new Entry(begin.CompletionId, begin.Start, begin.Control));
    }

    /// <summary>Records how a completion ended; one whose start never arrived is recorded from the end's copy of it.</summary>
    public void Finish(CompletionRecord record)
    {
        if (record.End is null)
        {
            return;
        }
        if (!_entries.TryGetValue(record.CompletionId, out var entry))
        {
            entry = new Entry(record.CompletionId, record.Start, null);
            _entries.Add(entry.Id, entry);
        }
        if (entry.End is not null)
        {
            return;
        }
        entry.End = record.End with { FinishedAt = time.GetUtcNow() };
        entry.Control = null;
        _finished.Enqueue(entry);
        Prune();
    }

    public CompletionRecord? Get(string completionId)
    {
        Prune();
        return _entries.TryGetValue(completionId, out var entry)
            ? new CompletionRecord(entry.Id, entry.Start, entry.End?.State ?? CompletionState.Running, entry.End)
            : null;
    }

    /// <summary>Decides a cancel and, when it goes ahead, tells the silo streaming the completion (one-way).</summary>
    public CancelCompletionOutcome Cancel(string completionId, string owner, bool isAdmin)
    {
        if (!_entries.TryGetValue(completionId, out var entry))
        {
            return CancelCompletionOutcome.NotFound;
        }
        if (!isAdmin && !string.Equals(owner, entry.Start.Owner, StringComparison.Ordinal))
        {
            return CancelCompletionOutcome.Forbidden;
        }
        if (entry.End is not null)
        {
            return CancelCompletionOutcome.AlreadyFinished;
        }
        // Its silo may be gone; then so is the stream, and its consumer ends it on its own.
        entry.Control?.CancelAsync(completionId).Ignore();
        return CancelCompletionOutcome.Cancelling;
    }

    private void Prune()
    {
        var oldest = time.GetUtcNow() - options.RecordRetention;
        while (_finished.TryPeek(out var head) && (_finished.Count > options.MaxRetainedRecords || head.End!.FinishedAt < oldest))
        {
            _finished.Dequeue();
            _entries.Remove(head.Id);
        }
    }

    private sealed class Entry(string id, CompletionStart start, ICompletionControl? control)
    {
        public string Id { get; } = id;

        public CompletionStart Start { get; } = start;

        public ICompletionControl? Control { get; set; } = control;

        public CompletionEnd? End { get; set; }
    }
}
