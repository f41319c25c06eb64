using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Mcp.Cluster.Telemetry;

/// <summary>
/// Orleans' own instruments (meter <see cref="SourceMeterName"/>) re-published under meter <see cref="MeterName"/> in
/// the shape Prometheus' conventions ask for, so that <c>promtool check metrics</c> passes on the whole exposition
/// (an operator's CI lints it): milliseconds become seconds and megabytes bytes (values and histogram buckets
/// scaled), tag names become snake_case (<c>QueueId</c> is <c>queue_id</c>), and every instrument gets a help text
/// (<see cref="OrleansInstrumentHelp"/>). Names stay Orleans' own (<c>orleans_grains</c>,
/// <c>orleans_app_requests_latency_seconds</c>), nothing is dropped. Export <see cref="MeterName"/>, never Orleans'
/// meter as well, or every instrument appears twice; register it as the meter provider's instrumentation so it
/// exists (and listens) exactly when the exporter does.
/// </summary>
/// <remarks>
/// Listening is by meter name, as OpenTelemetry does, so it spans the process. Several Orleans meters (the static one
/// and one per host's meter factory) may publish the same instrument name: they share one re-published instrument,
/// which is how the exporter would have merged them too.
/// </remarks>
public sealed class OrleansMetrics : IDisposable
{
    public const string SourceMeterName = "Microsoft.Orleans";
    public const string MeterName = "Mcp.Cluster.Orleans";

    // The same buckets as our own durations (McpMetrics), in seconds.
    private static readonly double[] SecondBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Meter _meter;
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Bridged> _bridged = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _tagNames = new(StringComparer.Ordinal);

    public OrleansMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SourceMeterName)
            {
                Bridge(instrument, listener);
            }
        };
        _listener.SetMeasurementEventCallback<byte>((i, value, tags, state) => ((Bridged)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>((i, value, tags, state) => ((Bridged)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((i, value, tags, state) => ((Bridged)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>((i, value, tags, state) => ((Bridged)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((i, value, tags, state) => ((Bridged)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, state) => ((Bridged)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>((i, value, tags, state) => ((Bridged)state!).Record((double)value, tags));
        // From construction on, as OpenTelemetry listens from the meter provider's: an up-down counter such as
        // orleans-system-targets is counted up once, at silo start, and an increment missed is missed for good.
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_lock)
        {
            foreach (var bridged in _bridged.Values)
            {
                bridged.Dispose();
            }
        }
        _meter.Dispose();
    }

    /// <summary>A Prometheus-friendly unit for an instrument's unit, and the factor that converts its values.</summary>
    public static (string? Unit, double Factor) BaseUnit(string? unit) => unit switch
    {
        "ns" => ("s", 1e-9),
        "us" or "μs" => ("s", 1e-6),
        "ms" => ("s", 1e-3),
        "min" => ("s", 60),
        "h" => ("s", 3600),
        "KB" or "KiB" => ("By", 1024),
        "MB" or "MiB" => ("By", 1024 * 1024),
        "GB" or "GiB" => ("By", 1024 * 1024 * 1024),
        _ => (unit, 1),
    };

    /// <summary>A tag name in snake_case: <c>QueueId</c> → <c>queue_id</c>, <c>grain_type</c> unchanged.</summary>
    public static string SnakeCase(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                // A word starts at an upper-case letter after a lower-case one or a digit, or before a lower-case one in an acronym (HTTPStatus).
                if (i > 0 && builder[^1] != '_' && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])
                    || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                {
                    builder.Append('_');
                }
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c is '-' or '.' or ' ' ? '_' : c);
            }
        }
        return builder.ToString();
    }

    private void Bridge(Instrument source, MeterListener listener)
    {
        Bridged? bridged;
        lock (_lock)
        {
            if (!_bridged.TryGetValue(source.Name, out bridged))
            {
                _bridged[source.Name] = bridged = Create(source);
            }
        }
        if (bridged.Observable)
        {
            bridged.AddObserved(source);
        }
        else
        {
            listener.EnableMeasurementEvents(source, bridged);
        }
    }

    private Bridged Create(Instrument source)
    {
        var (unit, factor) = BaseUnit(source.Unit);
        var help = OrleansInstrumentHelp.For(source);
        var bridged = new Bridged(this, factor, IsObservable(source));
        var name = source.Name;
        switch (source)
        {
            case Counter<byte> or Counter<short> or Counter<int> or Counter<long> or Counter<float> or Counter<double> or Counter<decimal>:
                var counter = _meter.CreateCounter<double>(name, unit, help);
                bridged.Sink = (value, tags) => counter.Add(value, tags);
                break;
            case UpDownCounter<byte> or UpDownCounter<short> or UpDownCounter<int> or UpDownCounter<long> or UpDownCounter<float>
                or UpDownCounter<double> or UpDownCounter<decimal>:
                var upDown = _meter.CreateUpDownCounter<double>(name, unit, help);
                bridged.Sink = (value, tags) => upDown.Add(value, tags);
                break;
            case Histogram<byte> or Histogram<short> or Histogram<int> or Histogram<long> or Histogram<float> or Histogram<double> or Histogram<decimal>:
                var buckets = HistogramBuckets(source, unit, factor);
                var histogram = _meter.CreateHistogram(name, unit, help, tags: null,
                    advice: buckets is null ? null : new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });
                bridged.Sink = (value, tags) => histogram.Record(value, tags);
                break;
            case Gauge<byte> or Gauge<short> or Gauge<int> or Gauge<long> or Gauge<float> or Gauge<double> or Gauge<decimal>:
                var gauge = _meter.CreateGauge<double>(name, unit, help);
                bridged.Sink = (value, tags) => gauge.Record(value, tags);
                break;
            case var _ when source.GetType().IsGenericType && source.GetType().GetGenericTypeDefinition() == typeof(ObservableCounter<>):
                _meter.CreateObservableCounter(name, bridged.Observe, unit, help);
                break;
            case var _ when source.GetType().IsGenericType && source.GetType().GetGenericTypeDefinition() == typeof(ObservableUpDownCounter<>):
                _meter.CreateObservableUpDownCounter(name, bridged.Observe, unit, help);
                break;
            default:
                _meter.CreateObservableGauge(name, bridged.Observe, unit, help);
                break;
        }
        return bridged;
    }

    private static bool IsObservable(Instrument source) =>
        source.GetType().IsGenericType && source.GetType().GetGenericTypeDefinition() is var definition
        && (definition == typeof(ObservableCounter<>) || definition == typeof(ObservableUpDownCounter<>) || definition == typeof(ObservableGauge<>));

    private static IReadOnlyList<double>? HistogramBuckets(Instrument source, string? unit, double factor)
    {
        IReadOnlyList<double>? advised = source switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
        if (advised is not null)
        {
            return advised.Select(b => b * factor).ToArray();
        }
        // OpenTelemetry's default buckets (0 … 10 000) suit milliseconds, not seconds.
        return unit == "s" ? SecondBuckets : null;
    }

    private TagList Rename(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var renamed = new TagList();
        foreach (var tag in tags)
        {
            renamed.Add(_tagNames.GetOrAdd(tag.Key, SnakeCase), tag.Value);
        }
        return renamed;
    }

    /// <summary>One re-published instrument: where measurements of its Orleans sources go, or how its sources are observed.</summary>
    private sealed class Bridged(OrleansMetrics owner, double factor, bool observable) : IDisposable
    {
        private readonly ConcurrentDictionary<Instrument, ObservedSource> _observed = new();

        public bool Observable { get; } = observable;

        public Action<double, TagList>? Sink { get; set; }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => Sink?.Invoke(value * factor, owner.Rename(tags));

        public void AddObserved(Instrument source) => _observed.GetOrAdd(source, s => new ObservedSource(s));

        public void Remove(Instrument source)
        {
            if (_observed.TryRemove(source, out var observed))
            {
                observed.Dispose();
            }
        }

        public IEnumerable<Measurement<double>> Observe()
        {
            var measurements = new List<Measurement<double>>();
            foreach (var source in _observed.Values)
            {
                foreach (var (value, tags) in source.Observe())
                {
                    measurements.Add(new Measurement<double>(value * factor, owner.Rename(tags)));
                }
            }
            return measurements;
        }

        public void Dispose()
        {
            foreach (var source in _observed.Keys.ToArray())
            {
                Remove(source);
            }
        }
    }

    /// <summary>
    /// Reads one observable Orleans instrument on demand: a listener of its own, since recording observable instruments
    /// runs every callback its listener has enabled, and only this one's are wanted.
    /// </summary>
    private sealed class ObservedSource : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Lock _lock = new();
        private List<(double, KeyValuePair<string, object?>[])> _buffer = [];

        public ObservedSource(Instrument source)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument, source))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<byte>((_, value, tags, _) => _buffer.Add((value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<short>((_, value, tags, _) => _buffer.Add((value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<int>((_, value, tags, _) => _buffer.Add((value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) => _buffer.Add((value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<float>((_, value, tags, _) => _buffer.Add((value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<double>((_, value, tags, _) => _buffer.Add((value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<decimal>((_, value, tags, _) => _buffer.Add(((double)value, tags.ToArray())));
            _listener.Start();
        }

        public List<(double Value, KeyValuePair<string, object?>[] Tags)> Observe()
        {
            lock (_lock)
            {
                _buffer = [];
                _listener.RecordObservableInstruments();
                return _buffer;
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
