namespace Mcp.Cluster.Usage;

/// <summary>
/// The latency histogram of one minute of a <see cref="UsageTimeline"/>: coarser than <see cref="LatencyHistogram"/>
/// (four buckets per doubling from 0.1 ms, so a quantile is within 9% of the true value) because a scope keeps up to
/// 1,440 of them, and stored as two short parallel arrays (bucket, count) rather than a dictionary: a busy minute
/// touches a few dozen buckets, about three bytes each when stored. Minutes merge by adding their counts, so a step of
/// 15 minutes has the percentiles of all its requests, not an average of the minutes'.
/// </summary>
[GenerateSerializer, Alias("mcp.MinuteLatencyHistogram")]
public sealed class MinuteLatencyHistogram
{
    private const double MinimumMs = 0.1;
    private const double BucketsPerDoubling = 4;

    /// <summary>Bucket numbers in ascending order; bucket 0 holds everything up to 0.1 ms.</summary>
    [Id(0)] public byte[] Buckets { get; set; } = [];
    /// <summary>How many requests fell in the bucket at the same index of <see cref="Buckets"/>.</summary>
    [Id(1)] public int[] Counts { get; set; } = [];

    public long Count
    {
        get
        {
            long count = 0;
            foreach (var c in Counts)
            {
                count += c;
            }
            return count;
        }
    }

    public void Record(double latencyMs) => Add(BucketOf(latencyMs), 1);

    public void Merge(MinuteLatencyHistogram other)
    {
        for (var i = 0; i < other.Buckets.Length && i < other.Counts.Length; i++)
        {
            Add(other.Buckets[i], other.Counts[i]);
        }
    }

    public MinuteLatencyHistogram Copy() => new() { Buckets = [.. Buckets], Counts = [.. Counts] };

    /// <summary>The latency below which a share <paramref name="q"/> of the minute's requests fell (nearest rank); 0 when empty.</summary>
    public double Quantile(double q)
    {
        var count = Count;
        if (count == 0)
        {
            return 0;
        }
        var rank = Math.Max(1, (long)Math.Ceiling(Math.Clamp(q, 0, 1) * count));
        long seen = 0;
        for (var i = 0; i < Buckets.Length; i++)
        {
            seen += Counts[i];
            if (seen >= rank)
            {
                return ValueOf(Buckets[i]);
            }
        }
        return ValueOf(Buckets[^1]);
    }

    // At most a few dozen buckets per minute: a binary search and, for a bucket not hit yet this minute, a copy.
    private void Add(byte bucket, int count)
    {
        var at = Array.BinarySearch(Buckets, bucket);
        if (at >= 0)
        {
            Counts[at] += count;
            return;
        }
        at = ~at;
        var buckets = new byte[Buckets.Length + 1];
        var counts = new int[Counts.Length + 1];
        Array.Copy(Buckets, buckets, at);
        Array.Copy(Counts, counts, at);
        buckets[at] = bucket;
        counts[at] = count;
        Array.Copy(Buckets, at, buckets, at + 1, Buckets.Length - at);
        Array.Copy(Counts, at, counts, at + 1, Counts.Length - at);
        Buckets = buckets;
        Counts = counts;
    }

    private static byte BucketOf(double latencyMs) =>
        double.IsNaN(latencyMs) || latencyMs <= MinimumMs
            ? (byte)0
            : (byte)Math.Min(byte.MaxValue, 1 + Math.Floor(Math.Log2(latencyMs / MinimumMs) * BucketsPerDoubling));

    // The geometric middle of the bucket, which halves the worst-case error of reporting either edge.
    private static double ValueOf(byte bucket) =>
        bucket == 0 ? MinimumMs : MinimumMs * Math.Pow(2, (bucket - 0.5) / BucketsPerDoubling);
}
