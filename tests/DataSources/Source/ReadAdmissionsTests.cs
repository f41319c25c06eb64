using Mcp.Cluster.DataSources;
using Microsoft.Extensions.Time.Testing;

namespace Mcp.Cluster.Tests.DataSources.Source;

/// <summary>
/// What the source's grain answers an executor asking to start a read: a refusal that says the executor's policy is
/// older than the grain's, a spent quota, a busy source, or the rows it may read.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class ReadAdmissionsTests
{
    private readonly SourceFixtures _source = new(new FakeTimeProvider(),
        new DataSourceGrainOptions { MaxConcurrentSql = 4, MaxConcurrentSqlPerKey = 1 });

    [Fact]
    public void A_key_without_access_is_refused_like_a_missing_source_even_when_the_source_is_disabled()
    {
        _source.State.Disabled = true;
        var refused = _source.Admissions.Admit(SourceFixtures.Key("key_a"), 10);
        Assert.Equal((false, DataQueryOutcome.NotFound, true), (refused.Admitted, refused.Outcome, refused.PolicyChanged));
        Assert.Equal(_source.Admissions.Missing, refused);
        Assert.Equal("Data source 'jobs_db' not found.", refused.Detail);

        _source.Grant("key_a", new DataGrant(null, false, new DataQuotas(5, null)));
        var disabled = _source.Admissions.Admit(SourceFixtures.Key("key_a"), 10);
        Assert.Equal((DataQueryOutcome.Unavailable, true), (disabled.Outcome, disabled.PolicyChanged));
        Assert.Equal("Data source 'jobs_db' is disabled.", disabled.Detail);
        Assert.Equal(0, _source.Ledger.Usage("key_a", DataQuotas.Unlimited).QueriesToday);
    }

    [Fact]
    public void The_quotas_are_the_ones_the_grain_holds_now()
    {
        _source.Grant("owner:alice", new DataGrant(null, false, new DataQuotas(null, 5)));
        var admitted = _source.Admissions.Admit(SourceFixtures.Key("key_a"), 10);
        Assert.Equal((true, 5, 5), (admitted.Admitted, admitted.Allowance, admitted.Reserved));

        // The key's own grant wins over its owner's; the read admitted under the owner's counts toward it.
        _source.Grant("key_a", new DataGrant(null, false, new DataQuotas(2, null)));
        Assert.True(_source.Admissions.Admit(SourceFixtures.Key("key_a"), 10).Admitted);
        Assert.Equal(DataQueryOutcome.QuotaExceeded, _source.Admissions.Admit(SourceFixtures.Key("key_a"), 10).Outcome);
    }

    [Fact]
    public void A_statement_refused_for_a_busy_source_costs_no_quota_and_a_refused_one_takes_no_slot()
    {
        _source.Grant("key_a", new DataGrant(null, true, new DataQuotas(2, null)));
        Assert.True(_source.Admissions.AdmitSql(SourceFixtures.Key("key_a"), 10).Admitted);
        Assert.Equal(1, _source.Slots.Running);

        var busy = _source.Admissions.AdmitSql(SourceFixtures.Key("key_a"), 10);
        Assert.Equal((false, DataQueryOutcome.Unavailable, false), (busy.Admitted, busy.Outcome, busy.PolicyChanged));
        Assert.Equal(1, _source.Ledger.Usage("key_a", DataQuotas.Unlimited).QueriesToday);

        _source.Slots.Release("key_a");
        Assert.True(_source.Admissions.AdmitSql(SourceFixtures.Key("key_a"), 10).Admitted);
        _source.Slots.Release("key_a");
        var spent = _source.Admissions.AdmitSql(SourceFixtures.Key("key_a"), 10);
        Assert.Equal(DataQueryOutcome.QuotaExceeded, spent.Outcome);
        Assert.Equal(0, _source.Slots.Running);
    }

    [Fact]
    public void A_statement_from_an_executor_whose_policy_still_allows_sql_is_refused_once_the_grant_no_longer_does()
    {
        _source.Grant("key_a", new DataGrant(null, true, new DataQuotas(5, null)));
        Assert.True(_source.Admissions.AdmitSql(SourceFixtures.Key("key_a"), 10).Admitted);
        _source.Slots.Release("key_a");

        // The grant loses "sql": true; an executor that has not heard yet still asks.
        _source.Grant("key_a", new DataGrant(null, false, new DataQuotas(5, null)));
        var refused = _source.Admissions.AdmitSql(SourceFixtures.Key("key_a"), 10);
        Assert.Equal((false, DataQueryOutcome.Forbidden, true), (refused.Admitted, refused.Outcome, refused.PolicyChanged));
        Assert.Equal(0, _source.Slots.Running);
        Assert.Equal(1, _source.Ledger.Usage("key_a", DataQuotas.Unlimited).QueriesToday);
        // Structured reads stay allowed.
        Assert.True(_source.Admissions.Admit(SourceFixtures.Key("key_a"), 10).Admitted);
    }
}
