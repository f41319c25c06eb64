using System.Threading.Channels;
using Mcp.Cluster.Changes;
using Mcp.Cluster.Usage;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Mcp.Cluster.Gateway.Usage;

/// <summary>
/// Takes usage events off the request path and publishes them on Orleans streams. <see cref="Publish"/> only writes to
/// a bounded in-memory buffer and never waits: when the buffer is full the event is dropped and counted
/// (<c>mcp_usage_events_total{result="dropped"}</c>). Every <see cref="UsageOptions.FlushInterval"/> the buffer is
/// grouped into one batch per <see cref="UsageScope"/> (model, key, source, cluster; per UTC day) plus one batch for the
/// alert evaluator, so a busy gateway sends a handful of stream messages per flush rather than several per request.
/// A send that fails (the silo holding the stream's queue died, and until membership declares it dead every call to it
/// fails or times out) is sent again at every flush until it gets through or <see cref="UsageOptions.RetryFor"/> has
/// passed, so a silo's death delays usage rather than losing it. A send that timed out may in fact have arrived; sent
/// again it is counted twice, which is the price of not losing the ones that did not.
/// What is lost if a process dies: this gateway's buffer and its batches awaiting a retry, batches queued in the dead
/// silo's memory stream, and the counts a usage grain had not yet written (see UsageMetricsOptions).
/// </summary>
public sealed class UsagePublisher : BackgroundService
{
    private readonly Channel<UsageEvent> _buffer;
    private readonly IClusterClient _cluster;
    private readonly UsageOptions _options;
    private readonly Telemetry.McpMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<UsagePublisher> _logger;
    private readonly Queue<UsageDelivery> _retries = new();
    private long _retrying;
    private DateTimeOffset _lastFailureLogged;
    private long _published;
    private long _dropped;

    public UsagePublisher(IClusterClient cluster, IOptions<UsageOptions> options, Telemetry.McpMetrics metrics, TimeProvider time,
        ILogger<UsagePublisher> logger)
    {
        _cluster = cluster;
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _buffer = Channel.CreateBounded<UsageEvent>(new BoundedChannelOptions(Math.Max(1, _options.BufferCapacity))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    public long Published => Interlocked.Read(ref _published);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Buffered => _buffer.Reader.Count;

    /// <summary>Events whose batches failed to publish and wait for their next attempt.</summary>
    public long Retrying => Interlocked.Read(ref _retrying);

    public void Publish(UsageEvent usage)
    {
        if (!_options.Enabled)
        {
            return;
        }
        // With FullMode.Wait, TryWrite fails instead of waiting when the buffer is full.
        if (!_buffer.Writer.TryWrite(usage))
        {
            Interlocked.Increment(ref _dropped);
            _metrics.UsageEvents("dropped", 1);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<UsageEvent>();
        try
        {
            while (true)
            {
                if (_retries.Count == 0 && !await _buffer.Reader.WaitToReadAsync(stoppingToken))
                {
                    break;
                }
                await RetryAsync(stoppingToken);
                await FlushAsync(batch, stoppingToken);
                // Events arriving in the next interval go out together. A flush that took a full batch left more
                // behind: go again at once rather than let the buffer fill and drop.
                if (batch.Count < _options.MaxEventsPerFlush)
                {
                    await Task.Delay(_options.FlushInterval, _time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // Shutting down: publish what is left, briefly, so a clean stop loses nothing.
        using var last = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await RetryAsync(last.Token);
        while (_buffer.Reader.TryPeek(out _) && !last.IsCancellationRequested)
        {
            await FlushAsync(batch, last.Token);
        }
        if (_retries.Count > 0)
        {
            GiveUp(_retries.Sum(d => d.Events), "the gateway stopped");
        }
    }

    private async Task FlushAsync(List<UsageEvent> batch, CancellationToken cancellationToken)
    {
        batch.Clear();
        while (batch.Count < _options.MaxEventsPerFlush && _buffer.Reader.TryRead(out var usage))
        {
            batch.Add(usage);
        }
        if (batch.Count == 0)
        {
            return;
        }
        var scopes = new Dictionary<UsageScope, List<UsageEvent>>();
        foreach (var e in batch)
        {
            var day = e.Day;
            Add(scopes, UsageScope.Cluster(day), e);
            if (e.KeyId is { } key)
            {
                Add(scopes, UsageScope.Key(key, day), e);
            }
            if (e.ModelId is { } model)
            {
                Add(scopes, UsageScope.Model(model, day), e);
            }
            if (e.Source is { } source)
            {
                Add(scopes, UsageScope.Source(source, day), e);
            }
        }
        var sends = new List<UsageSend>(scopes.Count + 1)
        {
            new(StreamId.Create(UsageStreams.AlertsNamespace, UsageStreams.AlertsKey), UsageBatch.Of(batch)),
        };
        foreach (var (scope, events) in scopes)
        {
            sends.Add(new(StreamId.Create(UsageStreams.Namespace, scope.ToString()), UsageBatch.Of(events)));
        }
        await DeliverAsync(new UsageDelivery(batch.Count, sends, _time.GetUtcNow()), cancellationToken);
    }

    /// <summary>Sends again what failed before, oldest first; stops at the first delivery that still fails.</summary>
    private async Task RetryAsync(CancellationToken cancellationToken)
    {
        var waiting = _retries.Count;
        for (var i = 0; i < waiting; i++)
        {
            var delivery = _retries.Dequeue();
            Interlocked.Add(ref _retrying, -delivery.Events);
            if (_time.GetUtcNow() - delivery.FirstAttempt > _options.RetryFor)
            {
                GiveUp(delivery.Events, $"they could not be published for {_options.RetryFor}");
                continue;
            }
            if (!await DeliverAsync(delivery, cancellationToken))
            {
                // The cluster is still failing over: the rest waits for the next flush rather than time out one by one.
                for (var rest = i + 1; rest < waiting; rest++)
                {
                    var next = _retries.Dequeue();
                    _retries.Enqueue(next);
                }
                return;
            }
        }
    }

    /// <summary>Sends what the delivery has left; true when all of it got through, otherwise it is queued for a retry.</summary>
    private async Task<bool> DeliverAsync(UsageDelivery delivery, CancellationToken cancellationToken)
    {
        var provider = _cluster.GetStreamProvider(ChangeStreams.Provider);
        var attempts = delivery.Remaining.Select(send => (send, task: provider.GetStream<UsageBatch>(send.Stream).OnNextAsync(send.Batch))).ToList();
        try
        {
            await Task.WhenAll(attempts.Select(a => a.task)).WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The cluster may be starting or failing over; what failed is sent again (it never blocks or fails a request).
            LogFailure(e, delivery.Events);
        }
        catch (OperationCanceledException)
        {
            // Stopping: whatever did not complete counts as failed below.
        }
        delivery.Remaining = attempts.Where(a => !a.task.IsCompletedSuccessfully).Select(a => a.send).ToList();
        if (delivery.Remaining.Count == 0)
        {
            Interlocked.Add(ref _published, delivery.Events);
            _metrics.UsageEvents("published", delivery.Events);
            return true;
        }
        if (_retrying + delivery.Events > _options.BufferCapacity)
        {
            GiveUp(delivery.Events, "too many events already wait for a retry");
            return false;
        }
        _retries.Enqueue(delivery);
        Interlocked.Add(ref _retrying, delivery.Events);
        return false;
    }

    private void GiveUp(long events, string reason)
    {
        Interlocked.Add(ref _dropped, events);
        _metrics.UsageEvents("dropped", events);
        _logger.LogWarning("Dropped {Count} usage events: {Reason}", events, reason);
    }

    private void LogFailure(Exception e, int events)
    {
        var now = _time.GetUtcNow();
        if (now - _lastFailureLogged > TimeSpan.FromMinutes(1))
        {
            _lastFailureLogged = now;
            _logger.LogWarning(e, "Publishing {Count} usage events failed; they are sent again at the next flush", events);
        }
    }

    private static void Add(Dictionary<UsageScope, List<UsageEvent>> scopes, UsageScope scope, UsageEvent e)
    {
        if (!scopes.TryGetValue(scope, out var events))
        {
            scopes[scope] = events = [];
        }
        events.Add(e);
    }
}
