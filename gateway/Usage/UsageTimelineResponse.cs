using Mcp.Cluster.Usage;

namespace Mcp.Cluster.Gateway.Usage;

/// <summary>
/// Body of the timeline endpoints: one point per step from <see cref="From"/> (the oldest point's start), oldest first,
/// steps without requests included as zeros; the last point is the step in progress, so it grows until
/// <see cref="To"/> (when the answer was made) passes its end. Times are UTC.
/// </summary>
public sealed record UsageTimelineResponse(string Scope, string Id, DateTime From, DateTime To, int StepSeconds, IReadOnlyList<UsageTimelinePoint> Points)
{
    public static UsageTimelineResponse Of(UsageScopeKind kind, string id, UsageTimeline timeline, UsageTimelineWindow window, DateTimeOffset now)
    {
        var first = window.FirstMinute(UsageTimeline.MinuteOf(now));
        var points = new UsageTimelinePoint[window.Points];
        for (var i = 0; i < points.Length; i++)
        {
            var start = first + (long)i * window.Step;
            points[i] = UsageTimelinePoint.Of(Utc(start), timeline.Sum(start, window.Step));
        }
        var to = new DateTime(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        return new UsageTimelineResponse(ScopeName(kind), id, Utc(first), to, window.Step * 60, points);
    }

    public static string ScopeName(UsageScopeKind kind) => kind.ToString().ToLowerInvariant();

    private static DateTime Utc(long minute) => UsageTimeline.StartOf(minute).UtcDateTime;
}

/// <summary>One step of a timeline; <see cref="LatencyMs"/> is null when the step had no requests.</summary>
public sealed record UsageTimelinePoint(
    DateTime At,
    long Requests,
    long ServerErrors,
    long ClientErrors,
    long PromptTokens,
    long CompletionTokens,
    long Rows,
    TimelineLatencyResponse? LatencyMs)
{
    public static UsageTimelinePoint Of(DateTime at, UsageMinute? step) => step is null
        ? new UsageTimelinePoint(at, 0, 0, 0, 0, 0, 0, null)
        : new UsageTimelinePoint(at, step.Requests, step.ServerErrors, step.ClientErrors, step.PromptTokens, step.CompletionTokens, step.Rows,
            step.Requests == 0 ? null : new TimelineLatencyResponse(Round(step.Latency.Quantile(0.5)), Round(step.Latency.Quantile(0.95))));

    private static double Round(double ms) => Math.Round(ms, 3);
}

/// <summary>A step's latency percentiles in milliseconds, from per-minute histograms four buckets per doubling wide (within 9%).</summary>
public sealed record TimelineLatencyResponse(double P50, double P95);
