using Mcp.Cluster.Usage;

namespace Mcp.Cluster.Gateway.Usage;

/// <summary>Request-level usage of a scope over <see cref="Days"/> UTC days ending today, from the usage grains.</summary>
public sealed record UsageReportResponse(
    DateOnly From,
    DateOnly To,
    int Days,
    long Requests,
    long ServerErrors,
    long ClientErrors,
    double ErrorRate,
    LatencyResponse LatencyMs,
    long PromptTokens,
    long CompletionTokens,
    long Rows,
    long CacheHits,
    long CacheMisses,
    double? CacheHitRate,
    IReadOnlyDictionary<string, long> ByStatus,
    IReadOnlyDictionary<string, long> ByRoute,
    IReadOnlyDictionary<string, long> ByProtocol,
    IReadOnlyList<DailyUsageResponse> Daily,
    DateTimeOffset? LastRequestAt)
{
    public static UsageReportResponse Of(UsageTotals t, DateOnly to, int days)
    {
        var from = to.AddDays(-days + 1);
        var daily = Enumerable.Range(0, days)
            .Select(i => from.AddDays(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
            .Select(day => new DailyUsageResponse(day, t.DailyRequests.GetValueOrDefault(day), t.DailyServerErrors.GetValueOrDefault(day)))
            .ToArray();
        var lookups = t.CacheHits + t.CacheMisses;
        return new UsageReportResponse(from, to, days, t.Requests, t.ServerErrors, t.ClientErrors, Math.Round(t.ErrorRate, 6),
            LatencyResponse.From(t.Latency), t.PromptTokens, t.CompletionTokens, t.Rows, t.CacheHits, t.CacheMisses,
            lookups == 0 ? null : Math.Round((double)t.CacheHits / lookups, 6),
            t.ByStatus, RouteLabel.Fold(t.ByRoute), t.ByProtocol, daily, t.LastAt);
    }
}

/// <summary>Latency percentiles in milliseconds, from a mergeable histogram (within 2.5% of the exact value).</summary>
public sealed record LatencyResponse(double Mean, double P50, double P90, double P95, double P99, double Max)
{
    public static LatencyResponse From(LatencyHistogram h) => new(
        Round(h.MeanMs), Round(h.Quantile(0.5)), Round(h.Quantile(0.9)), Round(h.Quantile(0.95)), Round(h.Quantile(0.99)), Round(h.MaxMs));

    private static double Round(double ms) => Math.Round(ms, 3);
}

public sealed record DailyUsageResponse(string Day, long Requests, long ServerErrors);

/// <summary>Body of <c>GET /summary</c>: the cluster's traffic, its busiest models, keys and sources, and this gateway's event pipeline.</summary>
public sealed record UsageSummaryResponse(
    UsageReportResponse Totals,
    IReadOnlyList<UsageRankResponse> TopModels,
    IReadOnlyList<UsageRankResponse> TopKeys,
    IReadOnlyList<UsageRankResponse> TopSources,
    UsagePipelineResponse Pipeline);

public sealed record UsageRankResponse(string Id, long Requests);

/// <summary>This gateway's usage events since it started: published on the streams, dropped, and waiting in its buffer.</summary>
public sealed record UsagePipelineResponse(long Published, long Dropped, long Buffered);
