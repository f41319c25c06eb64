namespace Mcp.Cluster.Usage;

/// <summary>
/// Usage aggregates of one scope and day, or merged over several days. Server errors are 5xx answers (the error rate's
/// numerator); 4xx answers, rate-limit and quota refusals included, are client errors. Breakdowns are capped
/// (<see cref="MaxBreakdownEntries"/>) so a caller inventing routes or keys cannot grow a grain's state without bound;
/// the excess is counted under <see cref="Other"/>.
/// </summary>
[GenerateSerializer, Alias("mcp.UsageTotals")]
public sealed class UsageTotals
{
    public const int MaxBreakdownEntries = 1000;
    public const string Other = "(other)";

    [Id(0)] public long Requests { get; set; }
    [Id(1)] public long ServerErrors { get; set; }
    [Id(2)] public long ClientErrors { get; set; }
    [Id(3)] public long PromptTokens { get; set; }
    [Id(4)] public long CompletionTokens { get; set; }
    [Id(5)] public long Rows { get; set; }
    [Id(6)] public long CacheHits { get; set; }
    [Id(7)] public long CacheMisses { get; set; }
    [Id(8)] public LatencyHistogram Latency { get; set; } = new();
    [Id(9)] public Dictionary<string, long> ByStatus { get; set; } = [];
    [Id(10)] public Dictionary<string, long> ByRoute { get; set; } = [];
    [Id(11)] public Dictionary<string, long> ByProtocol { get; set; } = [];
    [Id(12)] public Dictionary<string, long> ByModel { get; set; } = [];
    [Id(13)] public Dictionary<string, long> ByKey { get; set; } = [];
    [Id(14)] public Dictionary<string, long> BySource { get; set; } = [];
    [Id(15)] public DateTimeOffset? FirstAt { get; set; }
    [Id(16)] public DateTimeOffset? LastAt { get; set; }
    [Id(17)] public Dictionary<string, long> DailyRequests { get; set; } = [];
    [Id(18)] public Dictionary<string, long> DailyServerErrors { get; set; } = [];
    /// <summary>The same counts per minute, for the last 24 hours only (see <see cref="UsageTimeline"/>).</summary>
    [Id(19)] public UsageTimeline Timeline { get; set; } = new();

    public double ErrorRate => Requests == 0 ? 0 : (double)ServerErrors / Requests;

    /// <summary>Adds one event; <paramref name="breakdowns"/> says whether to count it per model, key and source too.</summary>
    public void Add(UsageEvent e, bool breakdowns)
    {
        Requests++;
        if (e.IsServerError)
        {
            ServerErrors++;
        }
        else if (e.IsClientError)
        {
            ClientErrors++;
        }
        PromptTokens += e.PromptTokens;
        CompletionTokens += e.CompletionTokens;
        Rows += e.Rows;
        if (e.CacheHit is { } hit)
        {
            if (hit)
            {
                CacheHits++;
            }
            else
            {
                CacheMisses++;
            }
        }
        Latency.Record(e.LatencyMs);
        Timeline.Add(e);
        Count(ByStatus, e.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), 1);
        Count(ByRoute, e.Route, 1);
        Count(ByProtocol, e.Protocol, 1);
        var day = e.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        DailyRequests[day] = DailyRequests.GetValueOrDefault(day) + 1;
        if (e.IsServerError)
        {
            DailyServerErrors[day] = DailyServerErrors.GetValueOrDefault(day) + 1;
        }
        if (breakdowns)
        {
            if (e.ModelId is { } model)
            {
                Count(ByModel, model, 1);
            }
            if (e.KeyId is { } key)
            {
                Count(ByKey, key, 1);
            }
            if (e.Source is { } source)
            {
                Count(BySource, source, 1);
            }
        }
        FirstAt = FirstAt is { } first && first <= e.At ? first : e.At;
        LastAt = LastAt is { } last && last >= e.At ? last : e.At;
    }

    public void Merge(UsageTotals other)
    {
        Requests += other.Requests;
        ServerErrors += other.ServerErrors;
        ClientErrors += other.ClientErrors;
        PromptTokens += other.PromptTokens;
        CompletionTokens += other.CompletionTokens;
        Rows += other.Rows;
        CacheHits += other.CacheHits;
        CacheMisses += other.CacheMisses;
        Latency.Merge(other.Latency);
        MergeInto(ByStatus, other.ByStatus);
        MergeInto(ByRoute, other.ByRoute);
        MergeInto(ByProtocol, other.ByProtocol);
        MergeInto(ByModel, other.ByModel);
        MergeInto(ByKey, other.ByKey);
        MergeInto(BySource, other.BySource);
        MergeInto(DailyRequests, other.DailyRequests);
        MergeInto(DailyServerErrors, other.DailyServerErrors);
        Timeline.Merge(other.Timeline);
        if (other.FirstAt is { } first && (FirstAt is null || first < FirstAt))
        {
            FirstAt = first;
        }
        if (other.LastAt is { } last && (LastAt is null || last > LastAt))
        {
            LastAt = last;
        }
    }

    /// <summary>
    /// These totals without their minutes (the rest shared, not copied): what a day report reads, which would
    /// otherwise carry up to 1,440 minutes per day it merges.
    /// </summary>
    public UsageTotals WithoutTimeline() => new()
    {
        Requests = Requests,
        ServerErrors = ServerErrors,
        ClientErrors = ClientErrors,
        PromptTokens = PromptTokens,
        CompletionTokens = CompletionTokens,
        Rows = Rows,
        CacheHits = CacheHits,
        CacheMisses = CacheMisses,
        Latency = Latency,
        ByStatus = ByStatus,
        ByRoute = ByRoute,
        ByProtocol = ByProtocol,
        ByModel = ByModel,
        ByKey = ByKey,
        BySource = BySource,
        FirstAt = FirstAt,
        LastAt = LastAt,
        DailyRequests = DailyRequests,
        DailyServerErrors = DailyServerErrors,
    };

    private static void MergeInto(Dictionary<string, long> into, Dictionary<string, long> from)
    {
        foreach (var (name, count) in from)
        {
            Count(into, name, count);
        }
    }

    private static void Count(Dictionary<string, long> counts, string name, long by)
    {
        if (!counts.ContainsKey(name) && counts.Count >= MaxBreakdownEntries)
        {
            name = Other;
        }
        counts[name] = counts.GetValueOrDefault(name) + by;
    }
}
