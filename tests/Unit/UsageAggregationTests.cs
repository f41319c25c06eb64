using Mcp.Cluster.Usage;

namespace Mcp.Cluster.Tests.Unit;

[Trait("Tier", "Unit")]
public sealed class UsageAggregationTests
{
    [Fact]
    public void Quantiles_are_within_two_and_a_half_percent_of_the_exact_values_over_a_wide_range()
    {
        var random = new Random(7);
        var samples = Enumerable.Range(0, 50_000).Select(_ => Math.Exp(random.NextDouble() * 14 - 4)).ToArray(); // 0.018 ms … 22 s
        var histogram = new LatencyHistogram();
        foreach (var sample in samples)
        {
            histogram.Record(sample);
        }
        Array.Sort(samples);
        foreach (var q in new[] { 0.5, 0.9, 0.95, 0.99, 0.999 })
        {
            var exact = samples[(int)Math.Ceiling(q * samples.Length) - 1];
            var estimate = histogram.Quantile(q);
            Assert.InRange(Math.Abs(estimate - exact) / exact, 0, 0.025);
        }
        Assert.Equal(samples[^1], histogram.MaxMs);
        Assert.Equal(samples.Average(), histogram.MeanMs, 6);
        Assert.True(histogram.Buckets.Count < 400);
    }

    [Fact]
    public void Merged_histograms_answer_like_one_histogram_of_all_samples()
    {
        var random = new Random(11);
        var all = new LatencyHistogram();
        var days = Enumerable.Range(0, 7).Select(_ => new LatencyHistogram()).ToArray();
        for (var i = 0; i < 7_000; i++)
        {
            var latency = random.NextDouble() * (i % 7 + 1) * 100;
            all.Record(latency);
            days[i % 7].Record(latency);
        }
        var merged = new LatencyHistogram();
        foreach (var day in days)
        {
            merged.Merge(day);
        }
        Assert.Equal(all.Count, merged.Count);
        Assert.Equal(all.Buckets, merged.Buckets);
        foreach (var q in new[] { 0.5, 0.95, 0.99 })
        {
            Assert.Equal(all.Quantile(q), merged.Quantile(q));
        }
    }

    [Fact]
    public void An_empty_histogram_and_odd_values_are_harmless()
    {
        var histogram = new LatencyHistogram();
        Assert.Equal(0, histogram.Quantile(0.99));
        histogram.Record(double.NaN);
        histogram.Record(-5);
        histogram.Record(0);
        Assert.Equal(3, histogram.Count);
        Assert.Equal(0, histogram.MaxMs);
        Assert.Equal(0, histogram.Quantile(0.5));
    }

    [Fact]
    public void Totals_split_errors_by_class_and_cap_breakdowns()
    {
        var totals = new UsageTotals();
        var at = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        totals.Add(new UsageEvent(at, "key_a", "mod_1", null, "POST /x", "rest", 200, 10, PromptTokens: 5, CompletionTokens: 7), breakdowns: true);
        totals.Add(new UsageEvent(at, "key_a", null, "jobs_db", "POST /q", "rest", 503, 20, Rows: 4, CacheHit: false), breakdowns: true);
        totals.Add(new UsageEvent(at.AddDays(1), "key_b", null, null, "GET /y", "mcp", 429, 1), breakdowns: true);
        Assert.Equal(3, totals.Requests);
        Assert.Equal(1, totals.ServerErrors);
        Assert.Equal(1, totals.ClientErrors);
        Assert.Equal((5, 7, 4, 0, 1), (totals.PromptTokens, totals.CompletionTokens, totals.Rows, totals.CacheHits, totals.CacheMisses));
        Assert.Equal(2, totals.ByKey["key_a"]);
        Assert.Equal(1, totals.BySource["jobs_db"]);
        Assert.Equal(2, totals.DailyRequests["2026-11-23"]);
        Assert.Equal(1, totals.DailyServerErrors["2026-11-23"]);
        Assert.Equal(at.AddDays(1), totals.LastAt);

        for (var i = 0; i < UsageTotals.MaxBreakdownEntries + 50; i++)
        {
            totals.Add(new UsageEvent(at, $"key_{i}", null, null, $"GET /invented/{i}", "rest", 404, 1), breakdowns: true);
        }
        Assert.True(totals.ByRoute.Count <= UsageTotals.MaxBreakdownEntries + 1);
        Assert.True(totals.ByRoute[UsageTotals.Other] >= 50);
        Assert.True(totals.ByKey.Count <= UsageTotals.MaxBreakdownEntries + 1);
        Assert.Equal(totals.Requests, totals.ByRoute.Values.Sum());
    }

    [Theory]
    [InlineData("model/2026-11-23/mod_abc", UsageScopeKind.Model, "mod_abc")]
    [InlineData("cluster/2026-11-23/all", UsageScopeKind.Cluster, "all")]
    [InlineData("source/2026-11-23/a/b", UsageScopeKind.Source, "a/b")]
    public void Scopes_round_trip_through_their_grain_keys(string text, UsageScopeKind kind, string id)
    {
        Assert.True(UsageScope.TryParse(text, out var scope));
        Assert.Equal(kind, scope.Kind);
        Assert.Equal(id, scope.Id);
        Assert.Equal(new DateOnly(2026, 11, 23), scope.Day);
        Assert.Equal(text, scope.ToString());
    }

    [Theory]
    [InlineData("model/2026-11-23/")]
    [InlineData("planet/2026-11-23/x")]
    [InlineData("model/23-11-2026/x")]
    [InlineData("model")]
    public void Malformed_scopes_are_refused(string text) => Assert.False(UsageScope.TryParse(text, out _));

    [Fact]
    public void A_batch_stored_by_column_gives_back_every_event()
    {
        var at = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        UsageEvent[] events =
        [
            new(at, "key_a", "mod_1", null, "POST /api/models/{model}/predict", "rest", 200, 12.5, PromptTokens: 5, CompletionTokens: 7),
            new(at.AddMilliseconds(3), "key_a", null, "jobs_db", "POST /api/data/query", "mcp", 503, 0.25, Rows: 4, CacheHit: false),
            new(at.AddSeconds(1), null, null, null, "(unmatched)", "rest", 401, 1, CacheHit: true),
            new(at.AddSeconds(2), "key_b", "mod_1", "jobs_db", "POST /api/models/{model}/predict", "websocket", 200, 3000),
        ];
        var batch = UsageBatch.Of(events);
        Assert.Equal(4, batch.Count);
        // Each distinct string once.
        Assert.Equal(batch.Strings.Length, batch.Strings.Distinct().Count());
        Assert.Equal(events, batch.Events.ToArray());
        Assert.Empty(UsageBatch.Of([]).Events);
    }
}
