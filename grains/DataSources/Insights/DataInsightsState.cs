namespace Mcp.Cluster.DataSources.Insights;

/// <summary>One source's query shapes as stored: at most <see cref="DataQueryInsightsGrain.MaxShapes"/>, the least recently seen going first.</summary>
[GenerateSerializer, Alias("mcp.DataInsightsState")]
public sealed class DataInsightsState
{
    /// <summary>When the first read now counted was reported.</summary>
    [Id(0)] public DateTimeOffset? Since { get; set; }

    /// <summary>Reads counted since <see cref="Since"/>, those of shapes since evicted included.</summary>
    [Id(1)] public long Queries { get; set; }

    [Id(2)] public Dictionary<string, DataShapeStats> Shapes { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One shape's totals since it was first kept.</summary>
[GenerateSerializer, Alias("mcp.DataShapeStats")]
public sealed class DataShapeStats
{
    [Id(0)] public DataQueryShape? Shape { get; set; }
    [Id(1)] public long Count { get; set; }
    [Id(2)] public long Failures { get; set; }
    [Id(3)] public double TotalMs { get; set; }
    [Id(4)] public double MaxMs { get; set; }
    /// <summary>Successful reads per bucket of <see cref="LatencyHistogram"/>.</summary>
    [Id(5)] public long[] Histogram { get; set; } = new long[LatencyHistogram.Buckets];
    [Id(6)] public long RowsTotal { get; set; }
    [Id(7)] public long RowsMax { get; set; }
    [Id(8)] public long CacheHits { get; set; }
    [Id(9)] public long CacheLookups { get; set; }
    [Id(10)] public DateTimeOffset FirstSeen { get; set; }
    [Id(11)] public DateTimeOffset LastSeen { get; set; }

    public void Add(DataShapeDelta delta)
    {
        Shape = delta.Shape;
        Count += delta.Count;
        Failures += delta.Failures;
        TotalMs += delta.TotalMs;
        MaxMs = Math.Max(MaxMs, delta.MaxMs);
        if (Histogram.Length < LatencyHistogram.Buckets)
        {
            // Stored before a bucket was added: the counts kept stay in their buckets.
            var grown = new long[LatencyHistogram.Buckets];
            Histogram.CopyTo(grown, 0);
            Histogram = grown;
        }
        for (var i = 0; i < Histogram.Length && i < delta.Histogram.Count; i++)
        {
            Histogram[i] += delta.Histogram[i];
        }
        RowsTotal += delta.RowsTotal;
        RowsMax = Math.Max(RowsMax, delta.RowsMax);
        CacheHits += delta.CacheHits;
        CacheLookups += delta.CacheLookups;
        if (delta.LastSeen > LastSeen)
        {
            LastSeen = delta.LastSeen;
        }
    }
}
