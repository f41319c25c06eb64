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
/// What is lost if a process dies: this gateway's buffer (at most one flush interval of its events), batches queued in
/// the silo's memory stream, and the counts a usage grain had not yet written (see UsageMetricsOptions).
/// </summary>
public sealed class UsagePublisher : BackgroundService
{
    private readonly Channel<UsageEvent> _buffer;
    private readonly IClusterClient _cluster;
    private readonly UsageOptions _options;
    private readonly Telemetry.McpMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<UsagePublisher> _logger;
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
            while (await _buffer.Reader.WaitToReadAsync(stoppingToken))
            {
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
        while (_buffer.Reader.TryPeek(out _) && !last.IsCancellationRequested)
        {
            await FlushAsync(batch, last.Token);
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
        try
        {
            var provider = _cluster.GetStreamProvider(ChangeStreams.Provider);
            var sends = new List<Task>(scopes.Count + 1)
            {
                provider.GetStream<UsageBatch>(StreamId.Create(UsageStreams.AlertsNamespace, UsageStreams.AlertsKey))
                    .OnNextAsync(UsageBatch.Of(batch)),
            };
            foreach (var (scope, events) in scopes)
            {
                sends.Add(provider.GetStream<UsageBatch>(StreamId.Create(UsageStreams.Namespace, scope.ToString())).OnNextAsync(UsageBatch.Of(events)));
            }
            await Task.WhenAll(sends).WaitAsync(cancellationToken);
            Interlocked.Add(ref _published, batch.Count);
            _metrics.UsageEvents("published", batch.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The cluster may be starting or failing over; these events are lost (they never block or fail a request).
            Interlocked.Add(ref _dropped, batch.Count);
            _metrics.UsageEvents("dropped", batch.Count);
            var now = _time.GetUtcNow();
            if (now - _lastFailureLogged > TimeSpan.FromMinutes(1))
            {
                _lastFailureLogged = now;
                _logger.LogWarning(e, "Publishing {Count} usage events failed; they are dropped", batch.Count);
            }
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
