using System.Diagnostics.Metrics;
using System.Reflection;
using Mcp.Cluster.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Mcp.Cluster.Tests.Unit;

/// <summary>Orleans' instruments re-published in Prometheus' conventions: base units, snake_case tags, a help text each.</summary>
[Trait("Tier", "Unit")]
public sealed class OrleansMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().AddSingleton<OrleansMetrics>().BuildServiceProvider();
    private readonly MeterListener _reader = new();
    private readonly List<(string Instrument, string? Unit, string? Description, double Value, Dictionary<string, object?> Tags)> _seen = [];
    // Names of this test's own instruments: other tests' silos in this process publish Orleans' real ones meanwhile.
    private readonly string _prefix = $"orleans-test-{Guid.NewGuid():N}"[..24];

    public OrleansMetricsTests()
    {
        _services.GetRequiredService<OrleansMetrics>();
        var ours = _services.GetRequiredService<IMeterFactory>();
        _reader.InstrumentPublished = (instrument, listener) =>
        {
            // Only this test's bridge: every bridge in the process re-publishes every Orleans meter's instruments.
            if (instrument.Meter.Name == OrleansMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, ours)
                && instrument.Name.StartsWith(_prefix, StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _reader.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            lock (_seen)
            {
                _seen.Add((instrument.Name, instrument.Unit, instrument.Description, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        });
        _reader.Start();
    }

    public void Dispose()
    {
        _reader.Dispose();
        _services.Dispose();
    }

    [Fact]
    public void Milliseconds_become_seconds_and_tag_names_snake_case()
    {
        using var orleans = new Meter(OrleansMetrics.SourceMeterName);
        var latency = orleans.CreateHistogram<double>(_prefix + "-latency", "ms");
        var reads = orleans.CreateCounter<int>(_prefix + "-reads");

        latency.Record(1500, new KeyValuePair<string, object?>("QueueId", "q-1"), new KeyValuePair<string, object?>("grain_type", "g"));
        reads.Add(3, new KeyValuePair<string, object?>("Direction", "Request"));

        var recorded = Assert.Single(_seen, s => s.Instrument == _prefix + "-latency");
        Assert.Equal("s", recorded.Unit);
        Assert.Equal(1.5, recorded.Value, 9);
        Assert.Equal(new Dictionary<string, object?> { ["queue_id"] = "q-1", ["grain_type"] = "g" }, recorded.Tags);
        Assert.False(string.IsNullOrWhiteSpace(recorded.Description));
        var counted = Assert.Single(_seen, s => s.Instrument == _prefix + "-reads");
        Assert.Equal(3, counted.Value);
        Assert.Equal("Request", counted.Tags["direction"]);
    }

    [Fact]
    public void Observable_megabytes_are_read_on_demand_as_bytes()
    {
        using var orleans = new Meter(OrleansMetrics.SourceMeterName);
        var observed = 0;
        orleans.CreateObservableGauge(_prefix + "-memory", () => { observed++; return new Measurement<long>(2, new KeyValuePair<string, object?>("BlockPoolId", "p")); }, "MB");

        _reader.RecordObservableInstruments();

        var recorded = Assert.Single(_seen, s => s.Instrument == _prefix + "-memory");
        Assert.Equal("By", recorded.Unit);
        Assert.Equal(2 * 1024 * 1024, recorded.Value);
        Assert.Equal("p", recorded.Tags["block_pool_id"]);
        Assert.Equal(1, observed);
    }

    [Theory]
    [InlineData("QueueId", "queue_id")]
    [InlineData("BlockPoolId", "block_pool_id")]
    [InlineData("Direction", "direction")]
    [InlineData("grain_type", "grain_type")]
    [InlineData("HTTPStatus", "http_status")]
    [InlineData("provider-type.name", "provider_type_name")]
    public void Tag_names_are_snake_case(string name, string snake) => Assert.Equal(snake, OrleansMetrics.SnakeCase(name));

    [Fact]
    public void Every_instrument_name_Orleans_declares_has_a_help_text_of_ours()
    {
        // Orleans keeps its instrument names as constants of an internal class; a new one (an Orleans upgrade) gets a
        // generic help text at run time, and this test asks for a real one.
        var names = Type.GetType("Orleans.Runtime.InstrumentNames, Orleans.Core", throwOnError: true)!
            .GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
        Assert.NotEmpty(names);
        var unknown = names.Where(name => !OrleansInstrumentHelp.Knows(name)).ToList();
        Assert.True(unknown.Count == 0, "no help text of ours for: " + string.Join(", ", unknown));
    }
}
