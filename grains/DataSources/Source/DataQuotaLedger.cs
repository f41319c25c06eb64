namespace Mcp.Cluster.DataSources;

/// <summary>
/// One source's usage counters, per key and in total: admits reads under a key's daily quotas (charge: count the query
/// and set rows aside; settle: give back what was not read), folds in the silos' batched reports, and answers usage
/// questions. Owned by the source's grain and only touched on its scheduler; every method is synchronous, so a check
/// and the counters it changes happen in one turn however many executors ask at once. The counters live here and are
/// copied into the persisted state only by <see cref="CopyInto"/> (the grain's non-interleaved writes), never changed
/// in an object the storage provider may be serializing.
/// </summary>
public sealed class DataQuotaLedger(string source, TimeProvider time)
{
    private Dictionary<string, DataUsageCounters> _usage = new(StringComparer.Ordinal);
    private DataSourceTotals _totals = new();

    /// <summary>Something changed since the counters were last copied into the state.</summary>
    public bool IsDirty { get; private set; }

    public DataSourceTotals Totals => _totals;

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>When the daily quotas start over: the next midnight UTC.</summary>
    public DateTimeOffset NextDay => new(Today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>Takes the counters an activation finds stored.</summary>
    public void Load(DataSourceState state)
    {
        _usage = state.Usage.ToDictionary(e => e.Key, e => Copy(e.Value), StringComparer.Ordinal);
        _totals = Copy(state.Totals);
    }

    /// <summary>Copies the live counters into <paramref name="state"/> (new objects: a write may still be serializing the old ones).</summary>
    public void CopyInto(DataSourceState state)
    {
        IsDirty = false;
        state.Usage = _usage.ToDictionary(e => e.Key, e => Copy(e.Value), StringComparer.Ordinal);
        state.Totals = Copy(_totals);
    }

    /// <summary>A write of the copied counters failed: they are written again at the next flush.</summary>
    public void MarkDirty() => IsDirty = true;

    public void Clear()
    {
        _usage.Clear();
        _totals = new DataSourceTotals();
        IsDirty = false;
    }

    /// <summary>
    /// Counts one read against <paramref name="quotas"/> and sets aside up to <paramref name="wanted"/> rows of the row
    /// quota (none when rows are unlimited), or refuses it when a quota is spent.
    /// </summary>
    public DataAdmission Charge(string keyId, DataQuotas quotas, int wanted)
    {
        var counters = Counters(keyId);
        return ChargeQuota(counters, quotas, wanted) is { } allowance
            ? new DataAdmission(true, allowance, quotas.RowsPerDay is null ? 0 : allowance)
            : new DataAdmission(false, Outcome: DataQueryOutcome.QuotaExceeded, Detail: QuotaDetail(counters, quotas), QuotaResetAt: NextDay);
    }

    /// <summary>Gives back the <paramref name="reserved"/> rows a charge set aside and counts the <paramref name="rows"/> read.</summary>
    public void Settle(string keyId, int reserved, int rows)
    {
        var counters = Counters(keyId);
        counters.RowsReserved = Math.Max(0, counters.RowsReserved - reserved);
        counters.RowsToday += rows;
        counters.TotalRows += rows;
        _totals.Rows += rows;
        IsDirty = true;
    }

    /// <summary>Adds a silo's batch. A key's day counts only toward that day: a batch from before midnight does not spend today's quota.</summary>
    public void Apply(DataUsageReport report)
    {
        var today = Today;
        foreach (var delta in report.Keys)
        {
            var counters = Counters(delta.KeyId);
            counters.Roll(today);
            if (delta.Day == counters.Day)
            {
                counters.QueriesToday += delta.Queries;
                counters.RowsToday += delta.Rows;
            }
            counters.TotalQueries += delta.Queries;
            counters.TotalRows += delta.Rows;
            counters.Denied += delta.Denied;
        }
        _totals.Queries += report.Queries;
        _totals.Denied += report.Denied;
        _totals.Failed += report.Failed;
        _totals.Rows += report.Rows;
        _totals.CacheHits += report.CacheHits;
        _totals.CacheMisses += report.CacheMisses;
        IsDirty = true;
    }

    /// <summary>A key's use of the source today and in total, under the <paramref name="quotas"/> that apply to it.</summary>
    public DataSourceUsage Usage(string keyId, DataQuotas quotas)
    {
        var today = Today;
        var u = _usage.GetValueOrDefault(keyId);
        var current = u is not null && u.Day == today;
        return new DataSourceUsage(source, keyId, today,
            current ? u!.QueriesToday : 0, current ? u!.RowsToday : 0, u?.TotalQueries ?? 0, u?.TotalRows ?? 0, u?.Denied ?? 0, quotas);
    }

    /// <summary>Counts the query and sets aside rows; returns how many rows it may return, or null when a quota is spent.</summary>
    private int? ChargeQuota(DataUsageCounters counters, DataQuotas quotas, int wanted)
    {
        counters.Roll(Today);
        if (quotas.QueriesPerDay is { } maxQueries && counters.QueriesToday >= maxQueries)
        {
            return null;
        }
        var allowance = wanted;
        if (quotas.RowsPerDay is { } maxRows)
        {
            var left = maxRows - counters.RowsToday - counters.RowsReserved;
            if (left <= 0)
            {
                return null;
            }
            allowance = (int)Math.Min(wanted, left);
            counters.RowsReserved += allowance;
        }
        counters.QueriesToday++;
        counters.TotalQueries++;
        _totals.Queries++;
        IsDirty = true;
        return allowance;
    }

    private string QuotaDetail(DataUsageCounters counters, DataQuotas quotas) =>
        quotas.QueriesPerDay is { } q && counters.QueriesToday >= q
            ? $"Daily query quota of {q} on '{source}' is used up; it resets at midnight UTC."
            : $"Daily row quota of {quotas.RowsPerDay} on '{source}' is used up; it resets at midnight UTC.";

    private DataUsageCounters Counters(string keyId)
    {
        if (!_usage.TryGetValue(keyId, out var counters))
        {
            _usage[keyId] = counters = new DataUsageCounters { Day = Today };
        }
        return counters;
    }

    private static DataUsageCounters Copy(DataUsageCounters c) => new()
    {
        Day = c.Day, QueriesToday = c.QueriesToday, RowsToday = c.RowsToday, TotalQueries = c.TotalQueries, TotalRows = c.TotalRows, Denied = c.Denied,
    };

    private static DataSourceTotals Copy(DataSourceTotals t) => new()
    {
        Queries = t.Queries, Denied = t.Denied, Failed = t.Failed, Rows = t.Rows, CacheHits = t.CacheHits, CacheMisses = t.CacheMisses,
    };
}
