namespace Mcp.Cluster.Usage;

/// <summary>
/// A mergeable latency histogram with logarithmic buckets (each 5% wider than the last, from 10 µs up), so any
/// quantile is known within 2.5% of the true value whatever the range, and two histograms merge by adding their
/// bucket counts: a week's percentiles are the merge of seven days', not an average of averages. Sparse: only buckets
/// that were hit are stored (a day's traffic typically touches a few dozen).
/// </summary>
[GenerateSerializer, Alias("mcp.LatencyHistogram")]
public sealed class LatencyHistogram
{
    private const double MinimumMs = 0.01;
    private const double Growth = 1.05;
    private static readonly double LogGrowth = Math.Log(Growth);

    [Id(0)] public Dictionary<int, long> Buckets { get; set; } = [];
    [Id(1)] public long Count { get; set; }
    [Id(2)] public double SumMs { get; set; }
    [Id(3)] public double MaxMs { get; set; }

    public double MeanMs => Count == 0 ? 0 : SumMs / Count;

    public void Record(double latencyMs)
    {
        if (double.IsNaN(latencyMs) || latencyMs < 0)
        {
            latencyMs = 0;
        }
        var bucket = BucketOf(latencyMs);
        Buckets[bucket] = Buckets.GetValueOrDefault(bucket) + 1;
        Count++;
        SumMs += latencyMs;
        MaxMs = Math.Max(MaxMs, latencyMs);
    }

    public void Merge(LatencyHistogram other)
    {
        foreach (var (bucket, count) in other.Buckets)
        {
            Buckets[bucket] = Buckets.GetValueOrDefault(bucket) + count;
        }
        Count += other.Count;
        SumMs += other.SumMs;
        MaxMs = Math.Max(MaxMs, other.MaxMs);
    }

    /// <summary>The latency below which a share <paramref name="q"/> of the recorded requests fell; 0 when empty.</summary>
    public double Quantile(double q)
    {
        if (Count == 0)
        {
            return 0;
        }
        // The nearest-rank definition: the smallest value with at least ceil(q * n) observations at or below it.
        var rank = Math.Max(1, (long)Math.Ceiling(Math.Clamp(q, 0, 1) * Count));
        long seen = 0;
        foreach (var bucket in Buckets.Keys.Order())
        {
            seen += Buckets[bucket];
            if (seen >= rank)
            {
                return Math.Min(ValueOf(bucket), MaxMs);
            }
        }
        return MaxMs;
    }

    private static int BucketOf(double latencyMs) =>
        latencyMs <= MinimumMs ? 0 : 1 + (int)Math.Floor(Math.Log(latencyMs / MinimumMs) / LogGrowth);

    // The middle of the bucket in relative terms, which halves the worst-case error of reporting either edge.
    private static double ValueOf(int bucket) =>
        bucket == 0 ? MinimumMs : MinimumMs * Math.Pow(Growth, bucket - 1) * (1 + Growth) / 2;
}
