using Mcp.Cluster.Usage;

namespace Mcp.Cluster.Alerts;

/// <summary>
/// The alert evaluator's sliding window over the cluster's usage events, in fixed-width time buckets (by the events'
/// own timestamps, so a late batch lands where it belongs). In memory only: after the evaluator moves to another silo
/// the window fills again from new events, and rules over it see fewer samples until then.
/// </summary>
public sealed class UsageWindow(TimeSpan bucketWidth, TimeSpan span)
{
    private readonly long _width = Math.Max(1, bucketWidth.Ticks);
    private readonly SortedDictionary<long, Bucket> _buckets = [];

    public void Add(UsageEvent e, DateTimeOffset now)
    {
        var index = e.At.UtcTicks / _width;
        if (index < (now - span).UtcTicks / _width)
        {
            return;
        }
        if (!_buckets.TryGetValue(index, out var bucket))
        {
            _buckets[index] = bucket = new Bucket();
        }
        bucket.Requests++;
        if (e.IsServerError)
        {
            bucket.ServerErrors++;
        }
        if (e.Source is { } source)
        {
            if (!bucket.Sources.TryGetValue(source, out var reads))
            {
                bucket.Sources[source] = reads = new SourceReads();
            }
            reads.Latency.Record(e.LatencyMs);
            if (e.CacheHit is { } hit)
            {
                if (hit)
                {
                    reads.CacheHits++;
                }
                else
                {
                    reads.CacheMisses++;
                }
            }
        }
    }

    /// <summary>Drops buckets older than the span.</summary>
    public void Trim(DateTimeOffset now)
    {
        var oldest = (now - span).UtcTicks / _width;
        foreach (var index in _buckets.Keys.TakeWhile(i => i < oldest).ToList())
        {
            _buckets.Remove(index);
        }
    }

    /// <summary>Requests and 5xx answers in the last <paramref name="window"/>.</summary>
    public (long Requests, long ServerErrors) Requests(DateTimeOffset now, TimeSpan window)
    {
        long requests = 0, errors = 0;
        foreach (var bucket in Within(now, window))
        {
            requests += bucket.Requests;
            errors += bucket.ServerErrors;
        }
        return (requests, errors);
    }

    /// <summary>Reads per data source in the last <paramref name="window"/>, merged.</summary>
    public Dictionary<string, SourceReads> Reads(DateTimeOffset now, TimeSpan window)
    {
        var merged = new Dictionary<string, SourceReads>(StringComparer.Ordinal);
        foreach (var bucket in Within(now, window))
        {
            foreach (var (source, reads) in bucket.Sources)
            {
                if (!merged.TryGetValue(source, out var total))
                {
                    merged[source] = total = new SourceReads();
                }
                total.Latency.Merge(reads.Latency);
                total.CacheHits += reads.CacheHits;
                total.CacheMisses += reads.CacheMisses;
            }
        }
        return merged;
    }

    private IEnumerable<Bucket> Within(DateTimeOffset now, TimeSpan window)
    {
        var first = (now - window).UtcTicks / _width;
        return _buckets.Where(b => b.Key >= first).Select(b => b.Value);
    }

    private sealed class Bucket
    {
        public long Requests;
        public long ServerErrors;
        public readonly Dictionary<string, SourceReads> Sources = new(StringComparer.Ordinal);
    }

    public sealed class SourceReads
    {
        public LatencyHistogram Latency { get; } = new();
        public long CacheHits { get; set; }
        public long CacheMisses { get; set; }
    }
}
