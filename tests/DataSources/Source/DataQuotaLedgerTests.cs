using Mcp.Cluster.DataSources;
using Microsoft.Extensions.Time.Testing;

namespace Mcp.Cluster.Tests.DataSources.Source;

/// <summary>A key's daily quotas as the source's grain counts them: charge on admission, settle after the read, start over at midnight UTC.</summary>
[Trait("Tier", "Unit")]
public sealed class DataQuotaLedgerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 10, 23, 0, 0, TimeSpan.Zero));
    private readonly DataQuotaLedger _ledger;

    public DataQuotaLedgerTests() => _ledger = new DataQuotaLedger("jobs_db", _time);

    [Fact]
    public void Reads_running_together_cannot_overshoot_the_row_quota_and_settling_gives_back_what_was_not_read()
    {
        var quotas = new DataQuotas(null, 100);
        var first = _ledger.Charge("key_a", quotas, 60);
        var second = _ledger.Charge("key_a", quotas, 60);
        Assert.Equal((true, 60, 60), (first.Admitted, first.Allowance, first.Reserved));
        // Only what the first read has not set aside is left.
        Assert.Equal((true, 40, 40), (second.Admitted, second.Allowance, second.Reserved));
        var third = _ledger.Charge("key_a", quotas, 1);
        Assert.Equal(DataQueryOutcome.QuotaExceeded, third.Outcome);
        Assert.Contains("row quota of 100", third.Detail);

        // The first read returned 10 of its 60 rows: 50 go back.
        _ledger.Settle("key_a", first.Reserved, 10);
        var fourth = _ledger.Charge("key_a", quotas, 100);
        Assert.Equal(50, fourth.Allowance);
        var usage = _ledger.Usage("key_a", quotas);
        Assert.Equal((3L, 10L), (usage.QueriesToday, usage.RowsToday));
    }

    [Fact]
    public void A_spent_query_quota_refuses_until_midnight_utc_and_then_starts_over()
    {
        var quotas = new DataQuotas(2, null);
        Assert.True(_ledger.Charge("key_a", quotas, 10).Admitted);
        Assert.True(_ledger.Charge("key_a", quotas, 10).Admitted);
        var refused = _ledger.Charge("key_a", quotas, 10);
        Assert.False(refused.Admitted);
        Assert.Contains("query quota of 2", refused.Detail);
        Assert.Equal(new DateTimeOffset(2026, 3, 11, 0, 0, 0, TimeSpan.Zero), refused.QuotaResetAt);
        // Another key has its own counters.
        Assert.True(_ledger.Charge("key_b", quotas, 10).Admitted);

        _time.Advance(TimeSpan.FromHours(1));
        var tomorrow = _ledger.Charge("key_a", quotas, 10);
        Assert.True(tomorrow.Admitted);
        // Unlimited rows: nothing set aside, nothing to settle.
        Assert.Equal((10, 0), (tomorrow.Allowance, tomorrow.Reserved));
        var usage = _ledger.Usage("key_a", quotas);
        Assert.Equal((1L, 3L), (usage.QueriesToday, usage.TotalQueries));
        Assert.Equal(4, _ledger.Totals.Queries);
    }

    [Fact]
    public void A_batch_counted_before_midnight_adds_to_the_totals_but_not_to_the_new_day()
    {
        var yesterday = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        _time.Advance(TimeSpan.FromHours(2));
        var today = yesterday.AddDays(1);
        _ledger.Apply(new DataUsageReport("silo-1", _time.GetUtcNow(), 0,
            [new DataKeyUsageDelta("key_a", yesterday, 5, 50, 1), new DataKeyUsageDelta("key_a", today, 2, 20, 0)], 7, 1, 1, 70, 3, 4));

        var usage = _ledger.Usage("key_a", DataQuotas.Unlimited);
        Assert.Equal((2L, 20L), (usage.QueriesToday, usage.RowsToday));
        Assert.Equal((7L, 70L, 1L), (usage.TotalQueries, usage.TotalRows, usage.Denied));
        var totals = _ledger.Totals;
        Assert.Equal((7L, 1L, 1L, 70L, 3L, 4L), (totals.Queries, totals.Denied, totals.Failed, totals.Rows, totals.CacheHits, totals.CacheMisses));
    }

    [Fact]
    public void Counters_are_copied_into_the_state_as_new_objects_without_the_reservations()
    {
        var quotas = new DataQuotas(null, 100);
        Assert.False(_ledger.IsDirty);
        _ledger.Charge("key_a", quotas, 30);
        Assert.True(_ledger.IsDirty);

        var state = new DataSourceState();
        _ledger.CopyInto(state);
        Assert.False(_ledger.IsDirty);
        Assert.Equal(1, state.Usage["key_a"].QueriesToday);
        Assert.Equal(0, state.Usage["key_a"].RowsReserved);
        _ledger.Settle("key_a", 30, 5);
        // What a write may be serializing never changes under it.
        Assert.Equal(0, state.Usage["key_a"].RowsToday);

        // A new activation starts from the stored counters, with nothing set aside.
        var next = new DataQuotaLedger("jobs_db", _time);
        next.Load(state);
        Assert.Equal(100, next.Charge("key_a", quotas, 100).Allowance);
        Assert.Equal(2, next.Usage("key_a", quotas).QueriesToday);
    }
}
