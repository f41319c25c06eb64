using System.Text;

namespace Mcp.Cluster.Completions;

/// <summary>
/// The running and recently finished completions of one model grain, so their status can be read and a running one
/// cancelled from any gateway. Kept in the model grain rather than a grain per completion: every completion passes
/// through its model anyway, and an activation per stream would cost memory and two more grain calls each.
/// In memory only: a completion does not outlive the silo streaming it either.
/// </summary>
public sealed class CompletionLedger(CompletionRecordOptions options, TimeProvider time)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<Entry> _finished = new();

    /// <summary>Records a starting completion; null when one with this id is already known.</summary>
    public Entry? Start(string completionId, string modelId, CompletionOrigin? origin)
    {
        Prune();
        if (_entries.ContainsKey(completionId))
        {
            return null;
        }
        var entry = new Entry(completionId, new CompletionStart(modelId, origin?.KeyId ?? "", origin?.Owner ?? "", time.GetUtcNow(), origin?.RequestId),
            options.MaxRetainedTextChars);
        _entries.Add(completionId, entry);
        return entry;
    }

    public void Finish(Entry entry, CompletionState state, string? finishReason, long promptTokens, long completionTokens,
        Models.PredictionOutcome? error, string? detail)
    {
        if (entry.End is not null)
        {
            return;
        }
        entry.End = new CompletionEnd(state, time.GetUtcNow(), finishReason, promptTokens, completionTokens, entry.Text, error, detail);
        entry.Release();
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
        entry.RequestCancel();
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

    /// <summary>One completion: who started it, its text so far (up to the retention cap) and how it ended.</summary>
    public sealed class Entry(string id, CompletionStart start, int maxTextChars)
    {
        private StringBuilder? _text;
        private CancellationTokenSource? _stop;

        public string Id { get; } = id;

        public CompletionStart Start { get; } = start;

        public CompletionEnd? End { get; internal set; }

        /// <summary>Set by a cancel from <c>DELETE /completions/{id}</c>, as opposed to the caller going away or a timeout.</summary>
        public bool CancelRequested { get; private set; }

        internal string? Text => _text?.ToString();

        /// <summary>The token that stops the completion's provider call; cancelled at once if a cancel came first.</summary>
        public void Attach(CancellationTokenSource stop)
        {
            _stop = stop;
            if (CancelRequested)
            {
                stop.Cancel();
            }
        }

        public void Append(string text)
        {
            var room = maxTextChars - (_text?.Length ?? 0);
            if (room > 0)
            {
                (_text ??= new StringBuilder()).Append(text, 0, Math.Min(room, text.Length));
            }
        }

        internal void RequestCancel()
        {
            CancelRequested = true;
            _stop?.Cancel();
        }

        internal void Release()
        {
            _stop = null;
            _text = null;
        }
    }
}
