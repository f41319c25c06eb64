using Mcp.Cluster.Gateway.Usage;
using Mcp.Cluster.Storage;
using Mcp.Cluster.Usage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Xunit.Abstractions;

namespace Mcp.Cluster.Tests.Usage;

/// <summary>
/// Per-minute usage: events land in their UTC minute, minutes past 24 hours are pruned, steps merge minutes (latency
/// too), the window's query parameters are checked, and the state round-trips through the stored format within a
/// measured size.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class UsageTimelineUnitTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private static UsageEvent Event(DateTimeOffset at, int status = 200, double latencyMs = 10, long prompt = 0, long completion = 0, long rows = 0) =>
        new(at, "key_a", "mod_1", "jobs_db", "POST /x", "rest", status, latencyMs, prompt, completion, rows);

    [Fact]
    public void Events_are_counted_in_their_UTC_minute_with_errors_by_class_tokens_and_rows()
    {
        var totals = new UsageTotals();
        totals.Add(Event(Noon.AddSeconds(1), 200, 10, prompt: 3, completion: 4), breakdowns: false);
        totals.Add(Event(Noon.AddSeconds(59.999), 503, 20, rows: 7), breakdowns: false);
        totals.Add(Event(Noon.AddMinutes(1), 404, 30), breakdowns: false);
        totals.Add(Event(Noon.AddMinutes(1).AddSeconds(30), 499, 40), breakdowns: false);

        var noon = UsageTimeline.MinuteOf(Noon);
        Assert.Equal(Noon, UsageTimeline.StartOf(noon));
        Assert.Equal([noon, noon + 1], totals.Timeline.Minutes.Keys.Order());
        var first = totals.Timeline.Minutes[noon];
        Assert.Equal((2, 1, 0, 3, 4, 7), (first.Requests, first.ServerErrors, first.ClientErrors, first.PromptTokens, first.CompletionTokens, first.Rows));
        var second = totals.Timeline.Minutes[noon + 1];
        Assert.Equal((2, 0, 2), (second.Requests, second.ServerErrors, second.ClientErrors));
        // The day totals are unchanged by the timeline.
        Assert.Equal(4, totals.Requests);
        Assert.Equal(1, totals.ServerErrors);
    }

    [Fact]
    public void Minute_percentiles_are_within_nine_percent_and_merge_like_one_histogram()
    {
        var random = new Random(3);
        var samples = Enumerable.Range(0, 20_000).Select(_ => Math.Exp(random.NextDouble() * 12 - 2)).ToArray(); // 0.14 ms … 22 s
        var whole = new MinuteLatencyHistogram();
        var parts = Enumerable.Range(0, 5).Select(_ => new MinuteLatencyHistogram()).ToArray();
        for (var i = 0; i < samples.Length; i++)
        {
            whole.Record(samples[i]);
            parts[i % 5].Record(samples[i]);
        }
        Array.Sort(samples);
        foreach (var q in new[] { 0.5, 0.95, 0.99 })
        {
            var exact = samples[(int)Math.Ceiling(q * samples.Length) - 1];
            Assert.InRange(Math.Abs(whole.Quantile(q) - exact) / exact, 0, 0.091);
        }
        var merged = new MinuteLatencyHistogram();
        foreach (var part in parts)
        {
            merged.Merge(part);
        }
        Assert.Equal(whole.Buckets, merged.Buckets);
        Assert.Equal(whole.Counts, merged.Counts);
        Assert.True(whole.Buckets.Length <= 80, $"{whole.Buckets.Length} buckets");
        Assert.Equal(samples.Length, whole.Count);

        var odd = new MinuteLatencyHistogram();
        Assert.Equal(0, odd.Quantile(0.5));
        odd.Record(double.NaN);
        odd.Record(-1);
        odd.Record(double.PositiveInfinity);
        Assert.Equal(3, odd.Count);
    }

    [Fact]
    public void Minutes_older_than_24_hours_are_pruned_and_the_last_1440_kept()
    {
        var timeline = new UsageTimeline();
        for (var m = 0; m < 2 * UsageTimeline.RetainedMinutes; m += 7)
        {
            timeline.Add(Event(Noon.AddMinutes(m)));
        }
        var now = UsageTimeline.MinuteOf(Noon) + 2 * UsageTimeline.RetainedMinutes - 1;
        var kept = timeline.Minutes.Keys.Count(m => m > now - UsageTimeline.RetainedMinutes);
        var dropped = timeline.Prune(now);
        Assert.True(dropped > 0);
        Assert.Equal(kept, timeline.Minutes.Count);
        Assert.All(timeline.Minutes.Keys, m => Assert.InRange(m, UsageTimeline.OldestRetained(now), now));
        Assert.Equal(now - UsageTimeline.RetainedMinutes + 1, UsageTimeline.OldestRetained(now));
        Assert.Equal(0, timeline.Prune(now));

        // A day later everything is gone.
        Assert.Equal(kept, timeline.Prune(now + UsageTimeline.RetainedMinutes));
        Assert.Empty(timeline.Minutes);
    }

    [Fact]
    public void Since_copies_and_merge_adds_minutes_of_two_days()
    {
        var yesterday = new UsageTimeline();
        var today = new UsageTimeline();
        yesterday.Add(Event(Noon.AddMinutes(-1), latencyMs: 5));
        yesterday.Add(Event(Noon.AddMinutes(-2)));
        today.Add(Event(Noon.AddMinutes(-1), latencyMs: 500));
        today.Add(Event(Noon));
        var since = yesterday.Since(UsageTimeline.MinuteOf(Noon) - 1);
        Assert.Single(since.Minutes);
        since.Minutes.Values.Single().Requests = 99;
        Assert.Equal(1, yesterday.Minutes[UsageTimeline.MinuteOf(Noon) - 1].Requests);

        var merged = new UsageTimeline();
        merged.Merge(yesterday);
        merged.Merge(today);
        var minute = merged.Minutes[UsageTimeline.MinuteOf(Noon) - 1];
        Assert.Equal(2, minute.Requests);
        Assert.Equal(2, minute.Latency.Count);
        Assert.Equal(3, merged.Minutes.Count);
        Assert.Equal(1, today.Minutes[UsageTimeline.MinuteOf(Noon) - 1].Requests);
    }

    [Theory]
    [InlineData(null, null, 60, 1, 60)]
    [InlineData("5", null, 5, 1, 5)]
    [InlineData("120", null, 120, 1, 120)]
    [InlineData("121", null, 121, 5, 25)]
    [InlineData("600", null, 600, 5, 120)]
    [InlineData("601", null, 601, 15, 41)]
    [InlineData("1440", null, 1440, 15, 96)]
    [InlineData("1440", "1", 1440, 1, 1440)]
    [InlineData("1440", "60", 1440, 60, 24)]
    [InlineData("60", "60", 60, 60, 1)]
    [InlineData("7", "5", 7, 5, 2)]
    public void The_window_reads_minutes_and_step_with_a_default_step_of_at_most_120_points(string? minutes, string? step, int span, int width, int points)
    {
        Assert.Null(UsageTimelineWindow.TryRead(minutes, step, out var window));
        Assert.Equal((span, width, points), (window.Minutes, window.Step, window.Points));
    }

    [Theory]
    [InlineData("4", null, "minutes")]
    [InlineData("1441", null, "minutes")]
    [InlineData("0", null, "minutes")]
    [InlineData("-5", null, "minutes")]
    [InlineData("+60", null, "minutes")]
    [InlineData(" 60", null, "minutes")]
    [InlineData("1e2", null, "minutes")]
    [InlineData("abc", null, "minutes")]
    [InlineData("", null, "minutes")]
    [InlineData("99999999999999999999", null, "minutes")]
    [InlineData("60", "2", "step")]
    [InlineData("60", "0", "step")]
    [InlineData("60", "120", "step")]
    [InlineData("60", "x", "step")]
    [InlineData("60", "", "step")]
    [InlineData("5", "15", "step")]
    [InlineData("30", "60", "step")]
    public void Malformed_or_out_of_range_parameters_are_refused_naming_the_field(string? minutes, string? step, string field)
    {
        var error = UsageTimelineWindow.TryRead(minutes, step, out _);
        Assert.NotNull(error);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal("validation_error", error.Value!.Error);
        Assert.Equal(field, error.Value.Extra!["field"]);
    }

    [Fact]
    public void Points_are_aligned_to_the_step_filled_with_zeros_and_end_with_the_step_in_progress()
    {
        var now = Noon.AddMinutes(37).AddSeconds(20); // 12:37:20
        var timeline = new UsageTimeline();
        timeline.Add(Event(Noon.AddMinutes(37), latencyMs: 100));            // in progress: 12:37
        timeline.Add(Event(Noon.AddMinutes(31), 500, latencyMs: 1));         // 12:30 step of 15
        timeline.Add(Event(Noon.AddMinutes(16), 429, latencyMs: 1000, rows: 3)); // 12:15
        timeline.Add(Event(Noon.AddMinutes(-50)));                          // before every window below

        var minutely = UsageTimelineResponse.Of(UsageScopeKind.Key, "key_a", timeline, new UsageTimelineWindow(30, 1), now);
        Assert.Equal(("key", "key_a", 60, 30), (minutely.Scope, minutely.Id, minutely.StepSeconds, minutely.Points.Count));
        Assert.Equal(new DateTime(2026, 12, 2, 12, 8, 0, DateTimeKind.Utc), minutely.From);
        Assert.Equal(new DateTime(2026, 12, 2, 12, 37, 20, DateTimeKind.Utc), minutely.To);
        Assert.Equal(minutely.From, minutely.Points[0].At);
        Assert.Equal(new DateTime(2026, 12, 2, 12, 37, 0, DateTimeKind.Utc), minutely.Points[^1].At);
        Assert.Equal(3, minutely.Points.Sum(p => p.Requests));
        Assert.All(minutely.Points.Where(p => p.Requests == 0), p => Assert.Null(p.LatencyMs));
        var last = minutely.Points[^1];
        Assert.InRange(last.LatencyMs!.P50, 91, 109);
        Assert.Equal(last.LatencyMs.P50, last.LatencyMs.P95);

        var quarters = UsageTimelineResponse.Of(UsageScopeKind.Cluster, "all", timeline, new UsageTimelineWindow(60, 15), now);
        Assert.Equal(900, quarters.StepSeconds);
        Assert.Equal(
            [Noon.AddMinutes(-15).UtcDateTime, Noon.UtcDateTime, Noon.AddMinutes(15).UtcDateTime, Noon.AddMinutes(30).UtcDateTime],
            quarters.Points.Select(p => p.At));
        Assert.Equal([0L, 0L, 1L, 2L], quarters.Points.Select(p => p.Requests));
        Assert.Equal((1, 3), (quarters.Points[2].ClientErrors, quarters.Points[2].Rows));
        var current = quarters.Points[3];
        Assert.Equal(1, current.ServerErrors);
        Assert.InRange(current.LatencyMs!.P50, 0.91, 1.09);   // nearest rank of two: the lower
        Assert.InRange(current.LatencyMs.P95, 91, 109);

        var hours = UsageTimelineResponse.Of(UsageScopeKind.Model, "mod_1", timeline, new UsageTimelineWindow(1440, 60), now);
        Assert.Equal(24, hours.Points.Count);
        Assert.Equal(Noon.AddHours(-23).UtcDateTime, hours.From);
        Assert.Equal([1L, 3L], hours.Points.TakeLast(2).Select(p => p.Requests));
        Assert.Equal(4, hours.Points.Sum(p => p.Requests));
        Assert.All(hours.Points, p => Assert.Equal(0, p.At.Minute));
    }

    [Fact]
    public void A_full_day_of_minutes_round_trips_through_the_stored_format_within_a_bounded_size()
    {
        var format = new GrainStateSerializer(_services.GetRequiredService<Serializer>(), new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()));
        var before = format.Serialize(FullDay(spread: false, includeTimeline: false)).ToArray().Length;

        var typical = FullDay(spread: false, includeTimeline: true);
        var typicalBytes = format.Serialize(typical).ToArray();
        var loaded = format.Deserialize<UsageTotals>(new BinaryData(typicalBytes))!;
        Assert.Equal(UsageTimeline.RetainedMinutes, loaded.Timeline.Minutes.Count);
        foreach (var (minute, counts) in typical.Timeline.Minutes)
        {
            var back = loaded.Timeline.Minutes[minute];
            Assert.Equal((counts.Requests, counts.ServerErrors, counts.ClientErrors, counts.PromptTokens, counts.CompletionTokens, counts.Rows),
                (back.Requests, back.ServerErrors, back.ClientErrors, back.PromptTokens, back.CompletionTokens, back.Rows));
            Assert.Equal(counts.Latency.Buckets, back.Latency.Buckets);
            Assert.Equal(counts.Latency.Counts, back.Latency.Counts);
        }
        Assert.Equal(typical.Requests, loaded.Requests);

        var worstBytes = format.Serialize(FullDay(spread: true, includeTimeline: true)).ToArray().Length;
        var typicalTimeline = typicalBytes.Length - before;
        var worstTimeline = worstBytes - before;
        var buckets = typical.Timeline.Minutes.Values.Average(m => m.Latency.Buckets.Length);
        output.WriteLine($"state without minutes: {before:N0} B; 24 h of minutes, typical ({buckets:F1} latency buckets a minute): +{typicalTimeline:N0} B "
            + $"({typicalTimeline / UsageTimeline.RetainedMinutes} B a minute); worst case (every latency bucket hit every minute): +{worstTimeline:N0} B "
            + $"({worstTimeline / UsageTimeline.RetainedMinutes} B a minute)");
        // Measured at 119 and 275 bytes a minute (171 KB and 397 KB for a full day); a change that grows them shows here.
        Assert.True(typicalTimeline < 200_000, $"typical day: {typicalTimeline} B");
        Assert.True(worstTimeline < 450_000, $"worst day: {worstTimeline} B");

        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var inMemory = FullDay(spread: false, includeTimeline: true).Timeline;
        var heap = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        GC.KeepAlive(inMemory);
        output.WriteLine($"24 h of minutes in memory (typical): about {heap / 1024:N0} KiB");
    }

    [Fact]
    public void Day_reports_read_the_totals_without_their_minutes()
    {
        var totals = FullDay(spread: false, includeTimeline: true);
        var report = totals.WithoutTimeline();
        Assert.Empty(report.Timeline.Minutes);
        Assert.Equal(totals.Requests, report.Requests);
        Assert.Same(totals.ByRoute, report.ByRoute);
        Assert.Equal(UsageTimeline.RetainedMinutes, totals.Timeline.Minutes.Count);
    }

    /// <summary>
    /// A day with 200 requests every minute: latencies log-normal around 40 ms (typical), or spread evenly from 0.05 ms
    /// to 100 s so every minute hits every bucket (the worst case); 1% server and 3% client errors, tokens and rows.
    /// </summary>
    private static UsageTotals FullDay(bool spread, bool includeTimeline)
    {
        var random = new Random(5);
        var totals = new UsageTotals();
        var midnight = new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
        for (var minute = 0; minute < UsageTimeline.RetainedMinutes; minute++)
        {
            for (var i = 0; i < 200; i++)
            {
                var latency = spread
                    ? 0.05 * Math.Pow(2, i % 100 * 21.0 / 100)
                    : Math.Exp(Math.Log(40) + Normal(random));
                var status = random.NextDouble() switch { < 0.01 => 502, < 0.04 => 429, _ => 200 };
                totals.Add(Event(midnight.AddMinutes(minute).AddMilliseconds(i * 290), status, latency, prompt: random.Next(1000), completion: random.Next(500),
                    rows: random.Next(50)), breakdowns: false);
            }
        }
        return includeTimeline ? totals : totals.WithoutTimeline();
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    public void Dispose() => _services.Dispose();
}
