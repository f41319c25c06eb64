using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Governance;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Tests.Unit;

[Trait("Tier", "Unit")]
public sealed class DataAccessPolicyTests
{
    private static readonly TableSchema Jobs = new("jobs",
    [
        new ColumnSchema("job_id", DataType.Integer, false, "INTEGER"),
        new ColumnSchema("title", DataType.Text, false, "TEXT"),
        new ColumnSchema("salary", DataType.Text, true, "TEXT"),
    ], ["jobs"]);

    private static readonly Dictionary<string, MaskKind> SourceMasks = new() { ["jobs.salary"] = MaskKind.Redact };

    private static (SourceAccess? Access, string? Denial) Resolve(DataCaller caller, DataAccessDefault access = DataAccessDefault.None,
        Dictionary<string, DataGrantEntry>? grants = null) =>
        DataAccessPolicy.Resolve("jobs_db", access, SourceMasks, new DataQuotas(10, null), grants ?? [], caller);

    private static DataGrantEntry Grant(string subject, DataGrant grant) => new(subject, grant, DateTimeOffset.UnixEpoch, "admin");

    [Fact]
    public void Keys_need_a_grant_unless_the_source_is_readable_by_default()
    {
        var caller = new DataCaller("key_a", "alice", false);
        Assert.Contains("no grant", Resolve(caller).Denial);
        var (access, _) = Resolve(caller, DataAccessDefault.Read);
        Assert.Equal("default", access!.Basis);
        Assert.Equal(10, access.Quotas.QueriesPerDay);
        Assert.Equal(MaskKind.Redact, access.ForTable(Jobs)!.Masks["salary"]);
    }

    [Fact]
    public void A_key_grant_wins_over_an_owner_grant_and_admins_see_everything()
    {
        var grants = new Dictionary<string, DataGrantEntry>
        {
            ["owner:alice"] = Grant("owner:alice", new DataGrant(new Dictionary<string, TableGrant> { ["jobs"] = new(["title"], [], new Dictionary<string, MaskKind>()) }, false, null)),
            ["key_a"] = Grant("key_a", new DataGrant(null, false, new DataQuotas(1, 5))),
        };
        var (keyAccess, _) = Resolve(new DataCaller("key_a", "alice", false), grants: grants);
        Assert.Equal("key", keyAccess!.Basis);
        Assert.Equal(3, keyAccess.ForTable(Jobs)!.VisibleColumns.Count);
        Assert.Equal(5, keyAccess.Quotas.RowsPerDay);
        var (ownerAccess, _) = Resolve(new DataCaller("key_b", "alice", false), grants: grants);
        Assert.Equal(["title"], ownerAccess!.ForTable(Jobs)!.VisibleColumns.Select(c => c.Name));
        var (admin, _) = Resolve(new DataCaller("key_root", "root", true));
        Assert.Empty(admin!.ForTable(Jobs)!.Masks);
        Assert.True(admin.IsUnrestricted);
        Assert.False(keyAccess.IsUnrestricted); // the source-wide mask on salary
        Assert.False(ownerAccess.IsUnrestricted);
    }

    [Fact]
    public void A_model_is_held_to_its_declaration_and_policies_fingerprint_differently()
    {
        var undeclared = new DataCaller("key_root", "root", true, "mod_x", null);
        Assert.Contains("did not declare", Resolve(undeclared).Denial);
        var declared = undeclared with { ModelDeclaration = new ModelDataSource("jobs_db", "read", ["title"], null) };
        var (access, _) = Resolve(declared);
        var policy = access!.ForTable(Jobs)!;
        Assert.Equal(["title"], policy.VisibleColumns.Select(c => c.Name));
        var (plainAdmin, _) = Resolve(new DataCaller("key_root", "root", true));
        Assert.NotEqual(plainAdmin!.ForTable(Jobs)!.Fingerprint, policy.Fingerprint);
        var otherTable = undeclared with { ModelDeclaration = new ModelDataSource("jobs_db", "read", null, "other") };
        Assert.Null(Resolve(otherTable).Access!.ForTable(Jobs));
    }
}
