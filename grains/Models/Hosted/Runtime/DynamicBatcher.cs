namespace Mcp.Cluster.Models.Hosted.Runtime;

/// <summary>
/// Gathers the items of concurrent calls into runs of a synchronous, CPU-bound delegate (an ONNX session run), so many
/// single predictions cost one run. A run starts when <c>maxBatch</c> items wait, when the oldest waiting item has
/// waited <c>maxWait</c>, or at once for the rest of a call that has already started (its items are all here, waiting
/// longer gathers nothing); at most <c>maxConcurrentRuns</c> run at once, on the thread pool. <c>maxBatch</c> 1 or
/// <c>maxWait</c> 0 turn the waiting off: items run as they come, still up to <c>maxBatch</c> of those queued behind
/// busy runs at a time.
/// <para>A call's items may be split over runs; its results come back in its items' order once all have run. A run
/// that throws fails every call with items in it, and only those. A call cancelled before any of its items started is
/// withdrawn; once started it completes. At most <c>maxQueued</c> items wait: beyond, <see cref="SubmitAsync"/> throws
/// <see cref="BatchQueueFullException"/>. Disposal fails the waiting calls with <see cref="ObjectDisposedException"/>
/// and waits for the runs in progress.</para>
/// </summary>
public sealed class DynamicBatcher<TItem, TResult> : IAsyncDisposable
{
    private readonly int _maxBatch;
    private readonly TimeSpan _maxWait;
    private readonly int _maxConcurrentRuns;
    private readonly int _maxQueued;
    private readonly Func<IReadOnlyList<TItem>, TResult[]> _run;
    private readonly TimeProvider _time;
    private readonly bool _gathers;
    private readonly Lock _gate = new();
    private readonly LinkedList<Call> _queue = new();
    private readonly ITimer _timer;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _waiting;
    private int _running;
    private long _runs;
    private long _items;
    private int _largestBatch;
    private bool _disposed;
    private long _timerDueAt = long.MaxValue;

    public DynamicBatcher(int maxBatch, TimeSpan maxWait, int maxConcurrentRuns, int maxQueued,
        Func<IReadOnlyList<TItem>, TResult[]> run, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentRuns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueued, 1);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(time);
        _maxBatch = maxBatch;
        _maxWait = maxWait;
        _maxConcurrentRuns = maxConcurrentRuns;
        _maxQueued = maxQueued;
        _run = run;
        _time = time;
        _gathers = maxBatch > 1 && maxWait > TimeSpan.Zero;
        _timer = time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public DynamicBatcherCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return new DynamicBatcherCounters(_runs, _items, _largestBatch, _waiting, _running);
            }
        }
    }

    /// <summary>Runs <paramref name="items"/> (in one or more runs, with other calls' items) and returns their results in order.</summary>
    /// <exception cref="BatchQueueFullException">Too many items wait already.</exception>
    /// <exception cref="ObjectDisposedException">The batcher is disposed (or was disposed before the items ran).</exception>
    public Task<TResult[]> SubmitAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return Task.FromResult(Array.Empty<TResult>());
        }
        cancellationToken.ThrowIfCancellationRequested();
        var call = new Call(items, _time.GetTimestamp());
        List<Batch> ready;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_waiting + items.Count > _maxQueued)
            {
                throw new BatchQueueFullException(_waiting, _maxQueued);
            }
            call.Node = _queue.AddLast(call);
            _waiting += items.Count;
            ready = TakeReady();
        }
        Start(ready);
        if (cancellationToken.CanBeCanceled)
        {
            // Registered outside the lock: a token cancelled meanwhile runs the callback right here.
            call.Cancellation = cancellationToken.Register(() => Withdraw(call, cancellationToken));
            if (call.Completion.Task.IsCompleted)
            {
                call.Cancellation.Unregister();
            }
        }
        return call.Completion.Task;
    }

    public async ValueTask DisposeAsync()
    {
        List<Call> abandoned;
        lock (_gate)
        {
            if (_disposed)
            {
                abandoned = [];
            }
            else
            {
                _disposed = true;
                abandoned = [.. _queue];
                _queue.Clear();
                _waiting = 0;
                foreach (var call in abandoned)
                {
                    call.Node = null;
                }
                if (_running == 0)
                {
                    _drained.TrySetResult();
                }
            }
        }
        await _timer.DisposeAsync();
        foreach (var call in abandoned)
        {
            call.Fail(new ObjectDisposedException(GetType().Name, "The model was unloaded before these inputs ran."));
        }
        await _drained.Task;
    }

    private void Withdraw(Call call, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (call.Node is null || call.Taken > 0)
            {
                return;
            }
            _queue.Remove(call.Node);
            call.Node = null;
            _waiting -= call.Items.Count;
        }
        call.Completion.TrySetCanceled(cancellationToken);
    }

    private void OnTimer()
    {
        List<Batch> ready;
        lock (_gate)
        {
            _timerDueAt = long.MaxValue;
            ready = TakeReady();
        }
        Start(ready);
    }

    /// <summary>The runs that may start now, taken off the queue; arms the timer for the oldest item left waiting. Under the lock.</summary>
    private List<Batch> TakeReady()
    {
        var ready = new List<Batch>();
        while (!_disposed && _waiting > 0 && _running < _maxConcurrentRuns && ShouldRun())
        {
            var batch = new Batch();
            while (batch.Items.Count < _maxBatch && _queue.First is { Value: var call })
            {
                var count = Math.Min(_maxBatch - batch.Items.Count, call.Items.Count - call.Taken);
                batch.Add(call, call.Taken, count);
                call.Taken += count;
                _waiting -= count;
                if (call.Taken == call.Items.Count)
                {
                    _queue.RemoveFirst();
                    call.Node = null;
                }
            }
            _running++;
            _runs++;
            _items += batch.Items.Count;
            _largestBatch = Math.Max(_largestBatch, batch.Items.Count);
            ready.Add(batch);
        }
        // With every runner busy the end of a run looks again; a timer then would only spin.
        if (_gathers && !_disposed && _running < _maxConcurrentRuns && _queue.First is { Value: var oldest })
        {
            var dueAt = oldest.ArrivedAt + (long)(_maxWait.TotalSeconds * _time.TimestampFrequency);
            if (dueAt < _timerDueAt)
            {
                _timerDueAt = dueAt;
                var delay = _time.GetElapsedTime(_time.GetTimestamp(), dueAt);
                _timer.Change(delay > TimeSpan.Zero ? delay : TimeSpan.FromTicks(1), Timeout.InfiniteTimeSpan);
            }
        }
        return ready;
    }

    private bool ShouldRun()
    {
        if (!_gathers || _waiting >= _maxBatch)
        {
            return true;
        }
        var oldest = _queue.First!.Value;
        return oldest.Taken > 0 || _time.GetElapsedTime(oldest.ArrivedAt) >= _maxWait;
    }

    private void Start(List<Batch> ready)
    {
        foreach (var batch in ready)
        {
            // The delegate is synchronous CPU work: run it on the pool, never on the submitting caller's thread (a grain's).
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Batcher.Execute(state.Batch), (Batcher: this, Batch: batch), preferLocal: false);
        }
    }

    private void Execute(Batch batch)
    {
        TResult[]? results = null;
        Exception? failure = null;
        try
        {
            results = _run(batch.Items);
            if (results is null || results.Length != batch.Items.Count)
            {
                failure = new InvalidOperationException($"The run returned {results?.Length ?? 0} results for {batch.Items.Count} inputs.");
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        var failed = failure is null ? new List<Call>() : batch.Parts.Select(p => p.Call).Distinct().ToList();
        List<Batch> ready;
        lock (_gate)
        {
            // A failed call's items still waiting would run for nothing.
            foreach (var call in failed.Where(c => c.Node is not null))
            {
                _queue.Remove(call.Node!);
                _waiting -= call.Items.Count - call.Taken;
                call.Node = null;
            }
            _running--;
            if (_disposed && _running == 0)
            {
                _drained.TrySetResult();
            }
            ready = TakeReady();
        }
        // Calls complete after the counters have let go of this run, so a caller that has its results sees it ended.
        if (failure is null)
        {
            var position = 0;
            foreach (var (call, offset, count) in batch.Parts)
            {
                Array.Copy(results!, position, call.Results, offset, count);
                call.Finish(count);
                position += count;
            }
        }
        foreach (var call in failed)
        {
            call.Fail(failure!);
        }
        Start(ready);
    }

    private sealed class Call(IReadOnlyList<TItem> items, long arrivedAt)
    {
        private int _done;

        public IReadOnlyList<TItem> Items { get; } = items;
        public long ArrivedAt { get; } = arrivedAt;
        public TResult[] Results { get; } = new TResult[items.Count];
        public TaskCompletionSource<TResult[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Items handed to runs so far; under the batcher's lock.</summary>
        public int Taken { get; set; }

        /// <summary>Its place in the queue while items of it wait; under the batcher's lock.</summary>
        public LinkedListNode<Call>? Node { get; set; }

        public CancellationTokenRegistration Cancellation { get; set; }

        /// <summary>Runs of one call may end on different threads: the last one completes it.</summary>
        public void Finish(int count)
        {
            if (Interlocked.Add(ref _done, count) == Items.Count && Completion.TrySetResult(Results))
            {
                Cancellation.Unregister();
            }
        }

        public void Fail(Exception failure)
        {
            if (Completion.TrySetException(failure))
            {
                Cancellation.Unregister();
            }
        }
    }

    private sealed class Batch
    {
        public List<TItem> Items { get; } = [];
        public List<(Call Call, int Offset, int Count)> Parts { get; } = [];

        public void Add(Call call, int offset, int count)
        {
            for (var i = 0; i < count; i++)
            {
                Items.Add(call.Items[offset + i]);
            }
            Parts.Add((call, offset, count));
        }
    }
}
