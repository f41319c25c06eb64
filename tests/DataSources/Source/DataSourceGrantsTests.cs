using Mcp.Cluster.DataSources;
using Microsoft.Extensions.Time.Testing;

namespace Mcp.Cluster.Tests.DataSources.Source;

/// <summary>Who may read a source and what they see, as the source's grain answers it from its current state.</summary>
[Trait("Tier", "Unit")]
public sealed class DataSourceGrantsTests
{
    private readonly SourceFixtures _source = new(new FakeTimeProvider(), new DataSourceGrainOptions { MaxGrants = 2 });

    [Theory]
    [InlineData("salary", MaskKind.Redact, "must name table.field")]
    [InlineData("jobs.", MaskKind.Redact, "must name table.field")]
    [InlineData(".salary", MaskKind.Hash, "must name table.field")]
    [InlineData("jobs.salary", MaskKind.None, "must be hash, partial or redact")]
    public void A_source_mask_names_a_table_field_and_hides_it(string key, MaskKind kind, string problem) =>
        Assert.Contains(problem, DataSourceGrants.ValidateMasks(new Dictionary<string, MaskKind> { [key] = kind }));

    [Fact]
    public void A_valid_mask_passes() =>
        Assert.Null(DataSourceGrants.ValidateMasks(new Dictionary<string, MaskKind> { ["jobs.salary"] = MaskKind.Partial }));

    [Fact]
    public void The_schema_a_key_sees_leaves_out_what_it_may_not_read_and_names_its_masks()
    {
        _source.State.Masks["jobs.salary"] = MaskKind.Redact;
        _source.Grant("key_a", new DataGrant(new Dictionary<string, TableGrant>
        {
            ["jobs"] = new(["job_id", "salary"], [], new Dictionary<string, MaskKind>()),
        }, false, null));
        var access = _source.Grants.Resolve(SourceFixtures.Key("key_a")).Access!;

        var schema = _source.Grants.VisibleSchema(access, [SourceFixtures.Jobs, SourceFixtures.Companies]);
        var table = Assert.Single(schema.Tables);
        Assert.Equal(["job_id", "salary"], table.Columns.Select(c => c.Name));
        Assert.Equal(MaskKind.Redact, schema.Masks["jobs.salary"]);
        Assert.Equal(("jobs_db", 1L), (schema.Name, schema.Generation));
    }

    [Fact]
    public void A_key_can_read_a_source_whose_tables_are_not_known_yet_but_not_one_where_it_may_read_no_table()
    {
        var onlyCompanies = new DataGrant(new Dictionary<string, TableGrant> { ["companies"] = TableGrant.Everything }, false, null);
        _source.Grant("key_a", onlyCompanies);
        Assert.True(_source.Grants.CanRead(SourceFixtures.Key("key_a")));
        Assert.False(_source.Grants.CanRead(SourceFixtures.Key("key_b")));

        _source.State.Tables = [SourceFixtures.Jobs];
        Assert.False(_source.Grants.CanRead(SourceFixtures.Key("key_a")));
        _source.State.Tables = [SourceFixtures.Jobs, SourceFixtures.Companies];
        Assert.True(_source.Grants.CanRead(SourceFixtures.Key("key_a")));
    }

    [Fact]
    public void A_source_holds_at_most_its_limit_of_grants_but_an_existing_one_can_always_be_replaced()
    {
        _source.Grant("owner:bob", new DataGrant(null, false, null));
        _source.Grant("key_a", new DataGrant(null, false, null));
        Assert.Contains("at most 2 grants", _source.Grants.LimitProblem("key_b"));
        Assert.Null(_source.Grants.LimitProblem("key_a"));

        Assert.Equal(["key_a", "owner:bob"], _source.Grants.List().Select(g => g.Subject));
        Assert.True(_source.Grants.Remove("key_a"));
        Assert.False(_source.Grants.Remove("key_a"));
        Assert.Null(_source.Grants.LimitProblem("key_b"));
    }

    [Fact]
    public void A_grant_is_checked_against_the_schema_once_it_is_known()
    {
        var typo = new DataGrant(new Dictionary<string, TableGrant> { ["jobs"] = new(["titel"], [], new Dictionary<string, MaskKind>()) }, false, null);
        Assert.Null(_source.Grants.Validate(typo, tables: null));
        var problem = _source.Grants.Validate(typo, [SourceFixtures.Jobs]);
        Assert.Equal("tables.jobs", problem!.Field);
        Assert.Contains("no field 'titel'", problem.Detail);
    }
}
