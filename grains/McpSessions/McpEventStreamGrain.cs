using Orleans.Placement;

namespace Mcp.Cluster.McpSessions;

/// <summary>
/// The recent events of one resumable SSE stream, in memory. Not persisted: events are a replay buffer for a client
/// that reconnects within seconds, a storage write per SSE event would sit on every tool call's path, and a stream
/// lost with its silo answers the resuming client a clear "expired" (the writer re-opens it for later events).
/// Placed on the writer's silo when the writing gateway hosts one, so the hop per event stays in the process.
/// </summary>
[GrainType("mcpeventstream")]
[PreferLocalPlacement]
public sealed class McpEventStreamGrain : Grain, IMcpEventStreamGrain
{
    /// <summary>Events one read returns at most, so a reader far behind gets them in pieces.</summary>
    private const int MaxBatch = 256;

    private readonly List<McpStreamEvent> _events = [];
    private McpEventStreamOpening? _stream;
    private long _bytes;
    private bool _polling;
    private bool _completed;
    private IGrainTimer? _expiry;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private long FirstSequence => _events.Count == 0 ? 0 : _events[0].Sequence;

    private long LastSequence => _events.Count == 0 ? 0 : _events[^1].Sequence;

    public Task OpenAsync(McpEventStreamOpening opening, McpStreamEvent first)
    {
        if (_stream is null)
        {
            _stream = opening;
            _polling = opening.Polling;
            _completed = false;
        }
        Add(first);
        return Task.CompletedTask;
    }

    public Task<bool> AppendAsync(McpStreamEvent item)
    {
        if (_stream is null)
        {
            DeactivateOnIdle();
            return Task.FromResult(false);
        }
        Add(item);
        return Task.FromResult(true);
    }

    public Task<bool> SetPollingAsync(bool polling)
    {
        if (_stream is null)
        {
            DeactivateOnIdle();
            return Task.FromResult(false);
        }
        _polling = polling;
        Signal();
        return Task.FromResult(true);
    }

    public Task CompleteAsync()
    {
        if (_stream is null)
        {
            DeactivateOnIdle();
            return Task.CompletedTask;
        }
        _completed = true;
        Signal();
        // A client that lost the final response may still fetch it for a while; then the events go.
        DelayDeactivation(_stream.CompletedRetention);
        _expiry?.Dispose();
        _expiry = this.RegisterGrainTimer(_ =>
        {
            DeactivateOnIdle();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(_stream.CompletedRetention, Timeout.InfiniteTimeSpan));
        return Task.CompletedTask;
    }

    public Task<McpEventStreamInfo?> DescribeAsync(long after)
    {
        if (_stream is null)
        {
            // A made-up or expired token: no empty activation is kept for it.
            DeactivateOnIdle();
            return Task.FromResult<McpEventStreamInfo?>(null);
        }
        var resumable = _events.Count > 0 && after >= FirstSequence - 1 && after <= LastSequence;
        return Task.FromResult(resumable ? new McpEventStreamInfo(_stream.SessionId, _stream.StreamId) : null);
    }

    public async Task<McpEventBatch> ReadAsync(long after, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        if (Take(after) is { } ready)
        {
            return ready;
        }
        var changed = _changed.Task;
        try
        {
            await changed.WaitAsync(wait, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Nothing new within the wait (or the reader left): the reader asks again.
        }
        return Take(after) ?? new McpEventBatch([], McpEventBatchStatus.More);
    }

    /// <summary>The answer to a read that need not wait, or null when the reader has everything and more may come.</summary>
    private McpEventBatch? Take(long after)
    {
        if (_stream is null)
        {
            DeactivateOnIdle();
            return new McpEventBatch([], McpEventBatchStatus.Gone);
        }
        if (_events.Count == 0 || after < FirstSequence - 1 || after > LastSequence)
        {
            return new McpEventBatch([], McpEventBatchStatus.Gap);
        }
        var start = (int)(after + 1 - FirstSequence);
        var count = Math.Min(_events.Count - start, MaxBatch);
        var events = count > 0 ? _events.GetRange(start, count) : [];
        var drained = start + count == _events.Count;
        if (drained && (_completed || _polling))
        {
            return new McpEventBatch(events, McpEventBatchStatus.End);
        }
        return count > 0 ? new McpEventBatch(events, McpEventBatchStatus.More) : null;
    }

    private void Add(McpStreamEvent item)
    {
        var stream = _stream!;
        if (_events.Count > 0 && item.Sequence <= LastSequence)
        {
            return; // a retried write
        }
        if (_events.Count > 0 && item.Sequence != LastSequence + 1)
        {
            // A write was lost (its call failed): resuming across the hole cannot be exact, so nothing before it is offered.
            _events.Clear();
            _bytes = 0;
        }
        _events.Add(item);
        _bytes += item.Data?.Length ?? 0;
        var drop = 0;
        var dropped = 0L;
        while (_events.Count - drop > 1 && (_events.Count - drop > stream.MaxEvents || _bytes - dropped > stream.MaxBytes))
        {
            dropped += _events[drop].Data?.Length ?? 0;
            drop++;
        }
        if (drop > 0)
        {
            _events.RemoveRange(0, drop);
            _bytes -= dropped;
        }
        if (!_completed)
        {
            DelayDeactivation(stream.IdleRetention);
        }
        Signal();
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}
