using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Mcp.Cluster.Telemetry;

/// <summary>
/// The gateway's and silo's own instruments (meter <see cref="MeterName"/>), exported with the ASP.NET Core and
/// Orleans meters on <c>GET /metrics</c>. Created through <see cref="IMeterFactory"/>, so tests and hosts each get
/// their own instance.
/// </summary>
public sealed class McpMetrics
{
    public const string MeterName = "Mcp.Cluster";

    private readonly Counter<long> _rejections;
    private readonly UpDownCounter<long> _streams;
    private readonly Counter<long> _dataQueries;
    private readonly Histogram<double> _dataQueryDuration;
    private readonly Counter<long> _cacheLookups;
    private readonly UpDownCounter<long> _activeQueries;
    private readonly Counter<long> _usageEvents;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Kind, string Name), int> _backends = new();

    public McpMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _rejections = meter.CreateCounter<long>("mcp.gateway.rejections", "{request}",
            "Requests refused before reaching a grain's work: rate limit, quota, missing permission, invalid key.");
        _streams = meter.CreateUpDownCounter<long>("mcp.completions.websocket.streams", "{stream}", "Completion WebSocket connections open now.");
        _dataQueries = meter.CreateCounter<long>("mcp.data.queries", "{query}", "Reads of data sources by outcome.");
        _dataQueryDuration = meter.CreateHistogram<double>("mcp.data.query.duration", "s", "Time to answer a read of a data source.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _cacheLookups = meter.CreateCounter<long>("mcp.data.cache.lookups", "{lookup}", "Query-cache lookups of data-source reads, by result (hit or miss).");
        _activeQueries = meter.CreateUpDownCounter<long>("mcp.data.queries.active", "{query}", "Reads of data sources running now.");
        _usageEvents = meter.CreateCounter<long>("mcp.usage.events", "{event}",
            "Usage events by result: published on the usage streams, or dropped (buffer full, cluster unreachable).");
        _requests = meter.CreateCounter<long>("mcp.requests", "{request}",
            "Requests served, by protocol (rest, mcp, websocket: one per completion), route template and status class.");
        _requestDuration = meter.CreateHistogram<double>("mcp.request.duration", "s", "Time to answer a request (a WebSocket completion: to its end).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        meter.CreateObservableGauge("mcp.backend.up", ObserveBackends, "{backend}",
            "1 when a model or data source hosted in this process is healthy, 0 when it is failing (absent while unknown or in maintenance).");
    }

    public void Rejected(string reason) => _rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void StreamOpened() => _streams.Add(1);

    public void StreamClosed() => _streams.Add(-1);

    public void DataQuery(string source, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "source", source }, { "outcome", outcome } };
        _dataQueries.Add(1, tags);
        _dataQueryDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void QueryStarted(string source) => _activeQueries.Add(1, new KeyValuePair<string, object?>("source", source));

    public void QueryEnded(string source) => _activeQueries.Add(-1, new KeyValuePair<string, object?>("source", source));

    public void CacheLookup(string source, bool hit) =>
        _cacheLookups.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("result", hit ? "hit" : "miss"));

    public void UsageEvents(string result, long count) => _usageEvents.Add(count, new KeyValuePair<string, object?>("result", result));

    public void Request(string protocol, string route, int status, TimeSpan elapsed)
    {
        var tags = new TagList { { "protocol", protocol }, { "route", route }, { "status_class", StatusClass(status) } };
        _requests.Add(1, tags);
        _requestDuration.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>Health of a model or data source whose grain runs here; null forgets it (unknown, maintenance, moved away).</summary>
    public void BackendHealth(string kind, string name, bool? healthy)
    {
        if (healthy is { } up)
        {
            _backends[(kind, name)] = up ? 1 : 0;
        }
        else
        {
            _backends.TryRemove((kind, name), out _);
        }
    }

    private IEnumerable<Measurement<int>> ObserveBackends() =>
        _backends.Select(b => new Measurement<int>(b.Value, new KeyValuePair<string, object?>("kind", b.Key.Kind), new KeyValuePair<string, object?>("name", b.Key.Name)));

    private static string StatusClass(int status) => status switch
    {
        < 200 => "1xx",
        < 300 => "2xx",
        < 400 => "3xx",
        < 500 => "4xx",
        _ => "5xx",
    };
}
