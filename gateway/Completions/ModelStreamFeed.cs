using System.Threading.Channels;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.Completions;

/// <summary>
/// Reads a model grain's chunk stream on a task of its own into a small buffer, so the reader can give up on a stream
/// that went silent (its silo died) without waiting for the grain call: a cancelled enumeration still waits for its
/// dispose call to the dead silo, up to Orleans' response timeout. That wait happens here, where nobody waits for it.
/// </summary>
public sealed class ModelStreamFeed
{
    private readonly Channel<CompletionChunk> _chunks = Channel.CreateBounded<CompletionChunk>(
        new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop;
    private Exception? _failure;

    public ModelStreamFeed(Func<CancellationToken, IAsyncEnumerable<CompletionChunk>> open, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Pumping = PumpAsync(open(_stop.Token));
    }

    /// <summary>The pump; it ends on its own once stopped, however long the stream's dispose call takes.</summary>
    public Task Pumping { get; }

    /// <summary>
    /// The next chunk; null when the stream ended. Throws <see cref="TimeoutException"/> when nothing came for
    /// <paramref name="idle"/>, <see cref="OperationCanceledException"/> when the caller cancelled, and the grain call's
    /// own exception when it failed.
    /// </summary>
    public async Task<CompletionChunk?> ReadAsync(TimeSpan idle, TimeProvider time, CancellationToken cancellationToken)
    {
        if (_chunks.Reader.TryRead(out var ready))
        {
            return ready;
        }
        using var quiet = new CancellationTokenSource(idle, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, quiet.Token);
        try
        {
            while (await _chunks.Reader.WaitToReadAsync(wait.Token))
            {
                if (_chunks.Reader.TryRead(out var chunk))
                {
                    return chunk;
                }
            }
        }
        catch (OperationCanceledException) when (quiet.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The model's stream sent nothing for {idle.TotalSeconds:0.#} s.");
        }
        return _failure is null ? null : throw _failure;
    }

    /// <summary>Cancels the grain call (which cancels the provider call when the silo is there to hear it).</summary>
    public async Task StopAsync()
    {
        try
        {
            await _stop.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The pump has ended already.
        }
    }

    private async Task PumpAsync(IAsyncEnumerable<CompletionChunk> stream)
    {
        // Off the caller's context at once: the grain call is started here, not by the constructor's caller.
        await Task.Yield();
        try
        {
            await foreach (var chunk in stream.WithCancellation(_stop.Token))
            {
                await _chunks.Writer.WriteAsync(chunk, _stop.Token);
            }
        }
        catch (Exception e)
        {
            _failure = e;
        }
        finally
        {
            _chunks.Writer.TryComplete();
            _stop.Dispose();
        }
    }
}
