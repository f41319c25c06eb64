using System.Runtime.CompilerServices;
using Mcp.Cluster.Models.Backends;

namespace Mcp.Cluster.Models;

/// <summary>
/// One completion's reads from its backend, one chunk ahead of the consumer: while a chunk waits to be taken (or the
/// consumer, a gateway that died, never takes it) a read is pending, so a cancel reaches the provider's connection at
/// once instead of at the next pull. One token source stops the provider call: the caller's cancellation, a cancel by
/// id (<see cref="Cancel"/>) and the model's timeout, which bounds each wait for the next chunk so a long answer that
/// keeps flowing is not cut off. Every way a read can end is turned into a step; only the caller's own cancellation throws.
/// </summary>
internal sealed class BackendTextStream : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly CancellationToken _caller;
    private readonly TimeSpan _timeout;
    private readonly IAsyncEnumerator<TextGenerationChunk> _chunks;
    private Task<bool>? _next;
    private volatile bool _cancelRequested;

    public BackendTextStream(ModelBackend backend, TextGenerationRequest request, TimeSpan timeout, CancellationToken caller)
    {
        _caller = caller;
        _timeout = timeout;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _stop.CancelAfter(timeout);
        var chunks = backend.SupportsStreaming ? backend.StreamAsync(request, _stop.Token) : WholeAnswerAsync(backend, request, _stop.Token);
        _chunks = chunks.GetAsyncEnumerator(_stop.Token);
    }

    /// <summary>A cancel by id (<c>DELETE /completions/{id}</c>, or an abandon when the consumer's lease ran out); any thread.</summary>
    public void Cancel()
    {
        _cancelRequested = true;
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The stream has ended already.
        }
    }

    /// <summary>
    /// The next step: a chunk, a failure (the stream is over), or quiet when <paramref name="heartbeat"/> passed with
    /// nothing from the provider (the read stays pending for the next call).
    /// </summary>
    public async Task<Step> NextAsync(TimeSpan? heartbeat, TimeProvider time)
    {
        try
        {
            _next ??= _chunks.MoveNextAsync().AsTask();
            if (heartbeat is { } every && every > TimeSpan.Zero && !_next.IsCompleted
                && await Task.WhenAny(_next, Task.Delay(every, time)) != _next)
            {
                return Step.Quiet;
            }
            var read = _next;
            _next = null;
            if (!await read)
            {
                return new(null, CompletionChunk.Failure(PredictionOutcome.ModelError, "The provider ended the answer without a finish reason."));
            }
            var chunk = _chunks.Current;
            _stop.CancelAfter(_timeout);
            if (chunk.FinishReason is null)
            {
                _next = _chunks.MoveNextAsync().AsTask();
            }
            return new(chunk, null);
        }
        // A cancelled read can surface as a broken stream rather than a cancellation; the tokens say which it was.
        catch (Exception e) when (e is OperationCanceledException or ModelBackendException && _cancelRequested)
        {
            return new(null, CompletionChunk.Failure(PredictionOutcome.Cancelled, "The completion was cancelled."));
        }
        catch (Exception e) when (e is OperationCanceledException or ModelBackendException && _caller.IsCancellationRequested)
        {
            throw new OperationCanceledException(_caller);
        }
        catch (Exception e) when (e is OperationCanceledException or ModelBackendException && _stop.IsCancellationRequested)
        {
            return new(null, CompletionChunk.Failure(PredictionOutcome.Timeout, $"The model sent nothing for {_timeout.TotalSeconds:0.#} s."));
        }
        catch (ModelBackendException e) when (e.InputRejected)
        {
            return new(null, CompletionChunk.Failure(PredictionOutcome.ValidationError, e.RejectionDetail));
        }
        catch (ModelBackendException e)
        {
            return new(null, CompletionChunk.Failure(PredictionOutcome.ModelError, e.Message));
        }
        catch (Exception e)
        {
            return new(null, CompletionChunk.Failure(PredictionOutcome.ModelError, $"The backend failed: {e.Message}"), e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // An iterator cannot be disposed while a read is pending: stop that read first.
        if (_next is { IsCompleted: false })
        {
            await _stop.CancelAsync();
            await ((Task)_next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
        else
        {
            _next?.Exception?.Handle(_ => true);
        }
        await _chunks.DisposeAsync();
        _stop.Dispose();
    }

    private static async IAsyncEnumerable<TextGenerationChunk> WholeAnswerAsync(
        ModelBackend backend, TextGenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var result = await backend.GenerateAsync(request, cancellationToken);
        yield return new TextGenerationChunk(result.Text, result.FinishReason ?? "stop", result.Usage);
    }

    /// <summary>What one read gave: a chunk, or the failure that ends the stream (<see cref="Unexpected"/>: worth logging).</summary>
    public readonly record struct Step(TextGenerationChunk? Chunk, CompletionChunk? Failure, Exception? Unexpected = null)
    {
        public static Step Quiet => default;

        public bool IsQuiet => Chunk is null && Failure is null;
    }
}
