namespace Mcp.Cluster.DataSources.Insights;

/// <summary>
/// Fixed latency buckets (upper bounds in milliseconds, then one for everything slower), so histograms from any silo
/// add up, and a shape's p95 can be estimated from a few numbers instead of every latency.
/// </summary>
public static class LatencyHistogram
{
    public static ReadOnlySpan<double> Bounds => [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000];

    /// <summary>Buckets in a histogram: one per bound and one past the last.</summary>
    public static int Buckets => Bounds.Length + 1;

    public static int Bucket(double ms)
    {
        var bounds = Bounds;
        for (var i = 0; i < bounds.Length; i++)
        {
            if (ms <= bounds[i]) return i;
        }
        return bounds.Length;
    }

    /// <summary>
    /// The upper bound of the bucket the 95th percentile falls in (never above <paramref name="maxMs"/>, the slowest
    /// read seen, which is also the answer for the last bucket). 0 with nothing counted.
    /// </summary>
    public static double P95(IReadOnlyList<long> histogram, double maxMs)
    {
        var total = histogram.Sum();
        if (total == 0)
        {
            return 0;
        }
        var wanted = (long)Math.Ceiling(total * 0.95);
        long seen = 0;
        var bounds = Bounds;
        for (var i = 0; i < histogram.Count; i++)
        {
            seen += histogram[i];
            if (seen >= wanted)
            {
                return i < bounds.Length ? Math.Min(bounds[i], maxMs) : maxMs;
            }
        }
        return maxMs;
    }
}
