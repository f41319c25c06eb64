namespace Mcp.Cluster.Models;

/// <summary>Request totals and per-UTC-day buckets; days older than the retention are dropped when a day is added.</summary>
[GenerateSerializer, Alias("mcp.ModelCounters")]
public sealed class ModelCounters
{
    [Id(0)] public long Requests { get; set; }
    [Id(1)] public long Errors { get; set; }
    [Id(2)] public double LatencyMsTotal { get; set; }
    [Id(3)] public SortedDictionary<DateOnly, DailyModelCounters> Days { get; set; } = [];
    [Id(4)] public long PromptTokens { get; set; }
    [Id(5)] public long CompletionTokens { get; set; }

    public void Record(DateTimeOffset now, int requests, bool failed, double latencyMs, int retentionDays, long promptTokens = 0, long completionTokens = 0)
    {
        Requests += requests;
        PromptTokens += promptTokens;
        CompletionTokens += completionTokens;
        Errors += failed ? requests : 0;
        LatencyMsTotal += latencyMs * requests;
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        if (!Days.TryGetValue(day, out var bucket))
        {
            bucket = new DailyModelCounters();
            Days[day] = bucket;
            var oldest = day.AddDays(-retentionDays + 1);
            foreach (var stale in Days.Keys.Where(d => d < oldest).ToArray())
            {
                Days.Remove(stale);
            }
        }
        bucket.Requests += requests;
        bucket.Errors += failed ? requests : 0;
        bucket.LatencyMsTotal += latencyMs * requests;
        bucket.PromptTokens += promptTokens;
        bucket.CompletionTokens += completionTokens;
    }
}
