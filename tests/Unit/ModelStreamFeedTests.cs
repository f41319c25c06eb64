using System.Runtime.CompilerServices;
using Mcp.Cluster.Gateway.Completions;
using Mcp.Cluster.Models;
using Microsoft.Extensions.Time.Testing;

namespace Mcp.Cluster.Tests.Unit;

/// <summary>
/// The gateway's side of a model stream: a stream that goes silent (its silo died; Orleans would wait 30 s) or whose
/// grain call fails is reported at once, so the runner can end the client's stream with an error event.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class ModelStreamFeedTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(5);

    private static async IAsyncEnumerable<CompletionChunk> FirstThenSilentAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new CompletionChunk("a");
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        yield return new CompletionChunk("never");
    }

    private static async IAsyncEnumerable<CompletionChunk> FirstThenFailAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new CompletionChunk("a");
        await Task.Yield();
        throw new InvalidOperationException("silo gone");
    }

    [Fact]
    public async Task A_stream_that_sends_nothing_for_the_idle_timeout_is_reported_then_and_not_before()
    {
        var time = new FakeTimeProvider();
        var feed = new ModelStreamFeed(FirstThenSilentAsync, CancellationToken.None);
        Assert.Equal("a", (await feed.ReadAsync(Idle, time, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)))!.Text);

        var read = feed.ReadAsync(Idle, time, CancellationToken.None);
        time.Advance(Idle - TimeSpan.FromMilliseconds(1));
        Assert.False(read.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<TimeoutException>(() => read.WaitAsync(TimeSpan.FromSeconds(10)));

        await feed.StopAsync();
        await feed.Pumping.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_failed_grain_call_is_rethrown_to_the_reader_at_once()
    {
        var feed = new ModelStreamFeed(FirstThenFailAsync, CancellationToken.None);
        var time = new FakeTimeProvider();
        Assert.Equal("a", (await feed.ReadAsync(Idle, time, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)))!.Text);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => feed.ReadAsync(Idle, time, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("silo gone", failure.Message);
    }

    [Fact]
    public async Task The_callers_cancellation_is_a_cancellation_not_a_timeout()
    {
        using var client = new CancellationTokenSource();
        var feed = new ModelStreamFeed(FirstThenSilentAsync, client.Token);
        var time = new FakeTimeProvider();
        Assert.Equal("a", (await feed.ReadAsync(Idle, time, client.Token).WaitAsync(TimeSpan.FromSeconds(10)))!.Text);
        var read = feed.ReadAsync(Idle, time, client.Token);
        await client.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
