namespace Mcp.Cluster.DataSources.Insights;

/// <summary>
/// The query shapes this silo saw of one source since its last report. Thread-safe (one lock per source). Holds at
/// most <paramref name="maxShapes"/> shapes between reports: more are not counted until the next report empties it.
/// </summary>
internal sealed class InsightTally(int maxShapes)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Builder> _shapes = new(StringComparer.Ordinal);

    public void Succeeded(DataQueryShape shape, double ms, int rows, bool? hit, DateTimeOffset at)
    {
        lock (_lock)
        {
            if (For(shape) is not { } b) return;
            b.Count++;
            b.TotalMs += ms;
            b.MaxMs = Math.Max(b.MaxMs, ms);
            b.Histogram[LatencyHistogram.Bucket(ms)]++;
            b.RowsTotal += rows;
            b.RowsMax = Math.Max(b.RowsMax, rows);
            if (hit is not null) b.CacheLookups++;
            if (hit is true) b.CacheHits++;
            b.LastSeen = at;
        }
    }

    public void Failed(DataQueryShape shape, DateTimeOffset at)
    {
        lock (_lock)
        {
            if (For(shape) is not { } b) return;
            b.Failures++;
            b.LastSeen = at;
        }
    }

    /// <summary>Takes what was counted (null when nothing was).</summary>
    public IReadOnlyList<DataShapeDelta>? Take()
    {
        lock (_lock)
        {
            if (_shapes.Count == 0)
            {
                return null;
            }
            var deltas = _shapes.Values.Select(b => b.ToDelta()).ToArray();
            _shapes.Clear();
            return deltas;
        }
    }

    /// <summary>Puts back deltas that could not be delivered, so the next report carries them.</summary>
    public void Restore(IReadOnlyList<DataShapeDelta> deltas)
    {
        lock (_lock)
        {
            foreach (var d in deltas)
            {
                if (For(d.Shape) is not { } b) continue;
                b.Count += d.Count;
                b.Failures += d.Failures;
                b.TotalMs += d.TotalMs;
                b.MaxMs = Math.Max(b.MaxMs, d.MaxMs);
                for (var i = 0; i < b.Histogram.Length && i < d.Histogram.Count; i++) b.Histogram[i] += d.Histogram[i];
                b.RowsTotal += d.RowsTotal;
                b.RowsMax = Math.Max(b.RowsMax, d.RowsMax);
                b.CacheHits += d.CacheHits;
                b.CacheLookups += d.CacheLookups;
                if (d.LastSeen > b.LastSeen) b.LastSeen = d.LastSeen;
            }
        }
    }

    private Builder? For(DataQueryShape shape)
    {
        if (_shapes.TryGetValue(shape.Id, out var builder))
        {
            return builder;
        }
        if (_shapes.Count >= maxShapes)
        {
            return null;
        }
        return _shapes[shape.Id] = new Builder(shape);
    }

    private sealed class Builder(DataQueryShape shape)
    {
        public long Count, Failures, RowsTotal, RowsMax, CacheHits, CacheLookups;
        public double TotalMs, MaxMs;
        public readonly long[] Histogram = new long[LatencyHistogram.Buckets];
        public DateTimeOffset LastSeen;

        public DataShapeDelta ToDelta() =>
            new(shape, Count, Failures, TotalMs, MaxMs, Histogram.ToArray(), RowsTotal, RowsMax, CacheHits, CacheLookups, LastSeen);
    }
}
