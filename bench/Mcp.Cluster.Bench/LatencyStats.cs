namespace Mcp.Cluster.Bench;

/// <summary>The arithmetic of a measured window: percentiles of the latencies, throughput and CPU per request.</summary>
public static class LatencyStats
{
    /// <summary>Nearest-rank percentile (the smallest value with at least <paramref name="p"/> of all at or below it) of sorted values; NaN when empty.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Microseconds of CPU per request, from the process's CPU time over the window; NaN without requests.</summary>
    public static double CpuMicrosecondsPerRequest(TimeSpan cpu, long requests) =>
        requests <= 0 ? double.NaN : cpu.TotalMicroseconds / requests;

    /// <summary>Requests per second over the window.</summary>
    public static double Throughput(long requests, TimeSpan window) => window <= TimeSpan.Zero ? double.NaN : requests / window.TotalSeconds;
}
