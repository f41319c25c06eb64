namespace Mcp.Cluster.DataSources.Execution;

/// <summary>What this silo's executors did with one source since the last report. Thread-safe (one lock per source).</summary>
internal sealed class SourceTally
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string KeyId, DateOnly Day), KeyDelta> _keys = [];
    private long _queries, _denied, _failed, _rows, _hits, _misses;
    private int _active;
    private bool _dirty;

    public int Active
    {
        get
        {
            lock (_lock)
            {
                return _active;
            }
        }
    }

    public void Started() => Change(() => _active++);

    public void Ended() => Change(() => _active--);

    /// <param name="counted">The read counts as a query here (false when the grain counted it while admitting it).</param>
    public void Read(string keyId, DateOnly day, bool counted, int rows, bool? hit) => Change(() =>
    {
        var key = Key(keyId, day);
        if (counted)
        {
            key.Queries++;
            _queries++;
        }
        key.Rows += rows;
        _rows += rows;
        if (hit is true) _hits++;
        if (hit is false) _misses++;
    });

    /// <summary>A read refused; <paramref name="keyId"/> is null for a source that does not exist (only totals count then, and none do).</summary>
    public void Denied(string keyId, DateOnly day) => Change(() =>
    {
        Key(keyId, day).Denied++;
        _denied++;
    });

    public void Failed() => Change(() => _failed++);

    /// <summary>Takes what was counted (null when nothing changed since the last report).</summary>
    public DataUsageReport? Take(string reporter, DateTimeOffset at)
    {
        lock (_lock)
        {
            // While reads run, every report repeats their number, so the grain can forget a silo that stops reporting.
            if (!_dirty && _active == 0)
            {
                return null;
            }
            var report = new DataUsageReport(reporter, at, _active,
                _keys.Select(e => new DataKeyUsageDelta(e.Key.KeyId, e.Key.Day, e.Value.Queries, e.Value.Rows, e.Value.Denied)).ToArray(),
                _queries, _denied, _failed, _rows, _hits, _misses);
            _keys.Clear();
            _queries = _denied = _failed = _rows = _hits = _misses = 0;
            _dirty = false;
            return report;
        }
    }

    /// <summary>Puts back a report that could not be delivered, so the next one carries it.</summary>
    public void Restore(DataUsageReport report) => Change(() =>
    {
        foreach (var k in report.Keys)
        {
            var key = Key(k.KeyId, k.Day);
            key.Queries += k.Queries;
            key.Rows += k.Rows;
            key.Denied += k.Denied;
        }
        _queries += report.Queries;
        _denied += report.Denied;
        _failed += report.Failed;
        _rows += report.Rows;
        _hits += report.CacheHits;
        _misses += report.CacheMisses;
    });

    private void Change(Action change)
    {
        lock (_lock)
        {
            change();
            _dirty = true;
        }
    }

    private KeyDelta Key(string keyId, DateOnly day)
    {
        if (!_keys.TryGetValue((keyId, day), out var delta))
        {
            _keys[(keyId, day)] = delta = new KeyDelta();
        }
        return delta;
    }

    private sealed class KeyDelta
    {
        public long Queries;
        public long Rows;
        public long Denied;
    }
}
