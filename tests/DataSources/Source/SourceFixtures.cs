using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Query;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcp.Cluster.Tests.DataSources.Source;

/// <summary>The pieces a source's grain builds per activation, wired the same way over a state the test holds.</summary>
internal sealed class SourceFixtures
{
    public static readonly TableSchema Jobs = new("jobs",
    [
        new ColumnSchema("job_id", DataType.Integer, false, "INTEGER"),
        new ColumnSchema("title", DataType.Text, false, "TEXT"),
        new ColumnSchema("salary", DataType.Text, true, "TEXT"),
    ], ["jobs"]);

    public static readonly TableSchema Companies = new("companies",
    [
        new ColumnSchema("company_id", DataType.Integer, false, "INTEGER"),
        new ColumnSchema("name", DataType.Text, false, "TEXT"),
    ], ["companies"]);

    public SourceFixtures(TimeProvider time, DataSourceGrainOptions? options = null)
    {
        Time = time;
        Options = options ?? new DataSourceGrainOptions();
        Grants = new DataSourceGrants("jobs_db", () => State, Options, new QueryLimits(), time);
        Ledger = new DataQuotaLedger("jobs_db", time);
        Slots = new RawSqlSlots("jobs_db", Options);
        Admissions = new ReadAdmissions("jobs_db", () => State, Grants, Ledger, Slots);
        // The connection is only handed connectors here; it never builds one, so it needs no factory or secrets.
        Connection = new DataSourceConnection("jobs_db", null!, null!, Options, time, NullLogger.Instance);
        Writer = new DataSourceStateWriter("jobs_db", null!, Ledger, NullLogger.Instance);
        Discovery = new SchemaDiscovery("jobs_db", () => State, Connection, Policy, Writer, Options, new Mcp.Cluster.DataSources.Query.QueryLimits(), time, NullLogger.Instance);
        Health = new DataSourceHealthLoop("jobs_db", () => State, () => true, Connection, Discovery, Options, time, NullLogger.Instance);
    }

    public TimeProvider Time { get; }

    public DataSourceGrainOptions Options { get; }

    public DataSourceState State { get; set; } = new() { Type = "sqlite", Generation = 1 };

    public DataSourceGrants Grants { get; }

    public DataQuotaLedger Ledger { get; }

    public RawSqlSlots Slots { get; }

    public ReadAdmissions Admissions { get; }

    public DataSourcePolicyIssuer Policy { get; } = new();

    public DataSourceConnection Connection { get; }

    public DataSourceStateWriter Writer { get; }

    public SchemaDiscovery Discovery { get; }

    public DataSourceHealthLoop Health { get; }

    public static DataCaller Key(string keyId, string owner = "alice") => new(keyId, owner, IsAdmin: false);

    public void Grant(string subject, DataGrant grant) => Grants.Set(subject, grant, "admin");
}
