using System.Collections.Concurrent;
using Mcp.Cluster.Models.Hosted.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Mcp.Cluster.Tests.Unit.Hosted;

[Trait("Tier", "Unit")]
public sealed class DynamicBatcherTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Long = TimeSpan.FromHours(1);

    private readonly FakeTimeProvider _time = new();
    private readonly ConcurrentQueue<int[]> _batches = new();
    private readonly List<IAsyncDisposable> _made = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var batcher in _made)
        {
            await batcher.DisposeAsync();
        }
    }

    /// <summary>A batcher whose run records each batch and answers every item with ten times its value.</summary>
    private DynamicBatcher<int, int> Make(int maxBatch, TimeSpan maxWait, int maxConcurrentRuns = 4, int maxQueued = 1000, Func<int[], int[]>? run = null)
    {
        var batcher = new DynamicBatcher<int, int>(maxBatch, maxWait, maxConcurrentRuns, maxQueued, items =>
        {
            var batch = items.ToArray();
            _batches.Enqueue(batch);
            return (run ?? (b => b.Select(x => x * 10).ToArray()))(batch);
        }, _time);
        _made.Add(batcher);
        return batcher;
    }

    [Fact]
    public async Task Concurrent_single_submits_up_to_max_batch_are_one_run()
    {
        var batcher = Make(maxBatch: 8, maxWait: Long);

        var calls = Enumerable.Range(0, 8).Select(i => Task.Run(() => batcher.SubmitAsync([i], CancellationToken.None))).ToArray();
        var results = await Task.WhenAll(calls).WaitAsync(Deadline);

        Assert.Equal(Enumerable.Range(0, 8).Select(i => new[] { i * 10 }), results);
        Assert.Equal(8, Assert.Single(_batches).Length);
        var counters = batcher.Counters;
        Assert.Equal((1L, 8L, 8), (counters.Runs, counters.Items, counters.LargestBatch));
    }

    [Fact]
    public async Task Waiting_items_run_once_the_oldest_has_waited_max_wait()
    {
        var batcher = Make(maxBatch: 8, maxWait: TimeSpan.FromMilliseconds(2));

        var first = batcher.SubmitAsync([1], CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var second = batcher.SubmitAsync([2, 3], CancellationToken.None);
        Assert.Equal((0L, 3), (batcher.Counters.Runs, batcher.Counters.Waiting));

        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(new[] { 10 }, await first.WaitAsync(Deadline));
        Assert.Equal(new[] { 20, 30 }, await second.WaitAsync(Deadline));
        Assert.Equal(new[] { 1, 2, 3 }, Assert.Single(_batches));
    }

    [Fact]
    public async Task A_call_larger_than_max_batch_is_split_and_answered_in_order()
    {
        var batcher = Make(maxBatch: 8, maxWait: Long, maxConcurrentRuns: 1);

        // Nothing is waited for: the rest of a call that has started is all there.
        var results = await batcher.SubmitAsync(Enumerable.Range(0, 20).ToArray(), CancellationToken.None).WaitAsync(Deadline);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * 10), results);
        Assert.Equal(new[] { 8, 8, 4 }, _batches.Select(b => b.Length));
        Assert.Equal(8, batcher.Counters.LargestBatch);
    }

    [Fact]
    public async Task Calls_sharing_runs_get_their_own_results_in_order()
    {
        var batcher = Make(maxBatch: 4, maxWait: Long, maxConcurrentRuns: 1);

        var a = batcher.SubmitAsync([1, 2, 3], CancellationToken.None);
        var b = batcher.SubmitAsync([4, 5, 6], CancellationToken.None);

        Assert.Equal(new[] { 10, 20, 30 }, await a.WaitAsync(Deadline));
        Assert.Equal(new[] { 40, 50, 60 }, await b.WaitAsync(Deadline));
        Assert.Equal(new[] { new[] { 1, 2, 3, 4 }, new[] { 5, 6 } }, _batches);
    }

    [Fact]
    public async Task Runs_never_exceed_max_concurrent_runs()
    {
        using var gate = new ManualResetEventSlim();
        using var entered = new SemaphoreSlim(0);
        int current = 0, most = 0;
        var batcher = Make(maxBatch: 1, maxWait: TimeSpan.Zero, maxConcurrentRuns: 2, run: items =>
        {
            var now = Interlocked.Increment(ref current);
            InterlockedMax(ref most, now);
            entered.Release();
            gate.Wait(Deadline);
            Interlocked.Decrement(ref current);
            return items.Select(x => x * 10).ToArray();
        });

        var calls = Enumerable.Range(0, 6).Select(i => batcher.SubmitAsync([i], CancellationToken.None)).ToArray();
        Assert.True(await entered.WaitAsync(Deadline));
        Assert.True(await entered.WaitAsync(Deadline));
        Assert.Equal((2, 4), (batcher.Counters.Running, batcher.Counters.Waiting));
        gate.Set();

        await Task.WhenAll(calls).WaitAsync(Deadline);
        Assert.Equal(2, most);
        Assert.Equal(6L, batcher.Counters.Runs);
    }

    [Fact]
    public async Task A_failing_run_fails_only_the_calls_in_it()
    {
        var batcher = Make(maxBatch: 2, maxWait: Long, maxConcurrentRuns: 1,
            run: items => items.Any(x => x < 0) ? throw new InvalidOperationException("bad input") : items.Select(x => x * 10).ToArray());

        var a = batcher.SubmitAsync([-1], CancellationToken.None);
        var b = batcher.SubmitAsync([2], CancellationToken.None);
        var c = batcher.SubmitAsync([3], CancellationToken.None);
        var d = batcher.SubmitAsync([4], CancellationToken.None);

        Assert.Equal("bad input", (await Assert.ThrowsAsync<InvalidOperationException>(() => a.WaitAsync(Deadline))).Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => b.WaitAsync(Deadline));
        Assert.Equal(new[] { 30 }, await c.WaitAsync(Deadline));
        Assert.Equal(new[] { 40 }, await d.WaitAsync(Deadline));
    }

    [Fact]
    public async Task The_rest_of_a_failed_call_is_not_run()
    {
        var batcher = Make(maxBatch: 2, maxWait: Long, maxConcurrentRuns: 1,
            run: items => items.Any(x => x < 0) ? throw new InvalidOperationException("bad input") : items.ToArray());

        await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.SubmitAsync([-1, 5, 6], CancellationToken.None).WaitAsync(Deadline));

        Assert.Equal(new[] { -1, 5 }, Assert.Single(_batches));
        Assert.Equal(0, batcher.Counters.Waiting);
    }

    [Fact]
    public async Task A_run_answering_the_wrong_number_of_results_fails_its_calls()
    {
        var batcher = Make(maxBatch: 1, maxWait: TimeSpan.Zero, run: _ => []);

        await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.SubmitAsync([1], CancellationToken.None).WaitAsync(Deadline));
    }

    [Fact]
    public async Task A_call_cancelled_before_it_runs_is_withdrawn()
    {
        var batcher = Make(maxBatch: 8, maxWait: TimeSpan.FromMilliseconds(2));
        using var cancellation = new CancellationTokenSource();

        var cancelled = batcher.SubmitAsync([1, 2], cancellation.Token);
        var kept = batcher.SubmitAsync([3], CancellationToken.None);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Deadline));
        Assert.Equal(1, batcher.Counters.Waiting);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal(new[] { 30 }, await kept.WaitAsync(Deadline));
        Assert.Equal(new[] { 3 }, Assert.Single(_batches));
    }

    [Fact]
    public async Task A_call_already_running_completes_despite_cancellation()
    {
        using var gate = new ManualResetEventSlim();
        using var entered = new SemaphoreSlim(0);
        var batcher = Make(maxBatch: 1, maxWait: TimeSpan.Zero, run: items =>
        {
            entered.Release();
            gate.Wait(Deadline);
            return items.Select(x => x * 10).ToArray();
        });
        using var cancellation = new CancellationTokenSource();

        var call = batcher.SubmitAsync([7], cancellation.Token);
        Assert.True(await entered.WaitAsync(Deadline));
        await cancellation.CancelAsync();
        gate.Set();

        Assert.Equal(new[] { 70 }, await call.WaitAsync(Deadline));
    }

    [Fact]
    public async Task An_already_cancelled_token_is_refused_at_once()
    {
        var batcher = Make(maxBatch: 8, maxWait: Long);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batcher.SubmitAsync([1], new CancellationToken(canceled: true)));
        Assert.Equal(0, batcher.Counters.Waiting);
    }

    [Fact]
    public async Task Submissions_beyond_the_queue_limit_are_refused()
    {
        var batcher = Make(maxBatch: 8, maxWait: Long, maxQueued: 4);

        var first = batcher.SubmitAsync([1, 2, 3], CancellationToken.None);
        var e = Assert.Throws<BatchQueueFullException>(() => { _ = batcher.SubmitAsync([4, 5], CancellationToken.None); });
        var last = batcher.SubmitAsync([4], CancellationToken.None);

        Assert.Equal(4, e.MaxQueued);
        Assert.Equal(4, batcher.Counters.Waiting);
        _time.Advance(Long);
        await Task.WhenAll(first, last).WaitAsync(Deadline);
    }

    [Fact]
    public async Task Without_gathering_a_call_runs_as_it_comes()
    {
        var batcher = Make(maxBatch: 8, maxWait: TimeSpan.Zero);

        Assert.Equal(new[] { 10 }, await batcher.SubmitAsync([1], CancellationToken.None).WaitAsync(Deadline));
        Assert.Equal(new[] { 20 }, await batcher.SubmitAsync([2], CancellationToken.None).WaitAsync(Deadline));
        Assert.Equal(2L, batcher.Counters.Runs);
    }

    [Fact]
    public async Task Disposal_fails_waiting_calls_and_refuses_new_ones()
    {
        var batcher = Make(maxBatch: 8, maxWait: Long);

        var waiting = batcher.SubmitAsync([1], CancellationToken.None);
        await batcher.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(Deadline));
        Assert.Throws<ObjectDisposedException>(() => { _ = batcher.SubmitAsync([2], CancellationToken.None); });
        Assert.Empty(_batches);
    }

    [Fact]
    public async Task Disposal_waits_for_the_runs_in_progress()
    {
        using var gate = new ManualResetEventSlim();
        using var entered = new SemaphoreSlim(0);
        var batcher = Make(maxBatch: 1, maxWait: TimeSpan.Zero, run: items =>
        {
            entered.Release();
            gate.Wait(Deadline);
            return items.ToArray();
        });
        var running = batcher.SubmitAsync([1], CancellationToken.None);
        Assert.True(await entered.WaitAsync(Deadline));

        var disposal = batcher.DisposeAsync().AsTask();
        Assert.False(disposal.IsCompleted);
        gate.Set();

        await disposal.WaitAsync(Deadline);
        Assert.Equal(new[] { 1 }, await running.WaitAsync(Deadline));
    }

    [Fact]
    public async Task On_the_system_clock_a_lone_item_runs_after_max_wait()
    {
        await using var batcher = new DynamicBatcher<int, int>(8, TimeSpan.FromMilliseconds(5), 1, 100, items => items.Select(x => -x).ToArray(), TimeProvider.System);

        Assert.Equal(new[] { -3 }, await batcher.SubmitAsync([3], CancellationToken.None).WaitAsync(Deadline));
    }

    [Fact]
    public async Task Many_concurrent_callers_each_get_their_own_results()
    {
        await using var batcher = new DynamicBatcher<int, int>(8, TimeSpan.FromMilliseconds(1), 2, 100_000, items => items.Select(x => x * 2).ToArray(), TimeProvider.System);

        var callers = Enumerable.Range(0, 16).Select(caller => Task.Run(async () =>
        {
            for (var call = 0; call < 50; call++)
            {
                var items = Enumerable.Range(caller * 10_000 + call * 10, 1 + (caller + call) % 5).ToArray();
                var results = await batcher.SubmitAsync(items, CancellationToken.None);
                Assert.Equal(items.Select(x => x * 2), results);
            }
        })).ToArray();
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(60));

        var counters = batcher.Counters;
        var expected = Enumerable.Range(0, 16).Sum(caller => Enumerable.Range(0, 50).Sum(call => 1 + (caller + call) % 5));
        Assert.Equal(expected, counters.Items);
        Assert.InRange(counters.LargestBatch, 1, 8);
        Assert.Equal((0, 0), (counters.Waiting, counters.Running));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
