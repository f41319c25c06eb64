using System.Collections.Concurrent;
using Mcp.Cluster.Audit;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Execution;
using Mcp.Cluster.DataSources.Samples;
using Mcp.Cluster.Hosting;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Mcp.Cluster.Tests.Grains;

/// <summary>
/// Reads of one source run in a stateless executor on each silo that receives them, under the policy the source's
/// grain hands out: two silos share a source, a grant change reaches both within the policy lease, quotas stay exact
/// with reads racing through both silos' executors, and every read's audit entry and counters arrive. Counters are
/// reported in batches only every hour here, so what the grain counts got there by an explicit flush or a silo's
/// orderly stop, never by the periodic report.
/// </summary>
[Trait("Tier", "Grain")]
public sealed class DataSourceExecutorTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _data = new();
    private readonly RecordingAuditStore _audit = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        SampleDatabases.EnsureCreated(_data.Path, DateTimeOffset.UtcNow);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:DataDirectory"] = _data.Path,
            ["Dashboard:Enabled"] = "false",
            ["DataSources:SeedSamples"] = "false",
            ["DataSources:PolicyLease"] = Lease.ToString(),
            ["DataSources:UsageReportInterval"] = "01:00:00",
        }).Build();
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMcpSilo(configuration, new McpClusterOptions { DataDirectory = _data.Path });
            // Both silos write to one store, so the test sees every entry wherever its read ran.
            silo.Services.AddSingleton<IAuditStore>(_audit);
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(Mcp.Cluster.Changes.ChangeStreams.Provider));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>The grain factory of one silo: a stateless worker called from there is activated there.</summary>
    private IGrainFactory Silo(int index) => _cluster.Silos[index].ServiceProvider.GetRequiredService<IGrainFactory>();

    private DataSourceRuntime Runtime(int index) => _cluster.Silos[index].ServiceProvider.GetRequiredService<DataSourceRuntime>();

    private async Task<IDataSourceGrain> RegisterAsync(string name)
    {
        var grain = _cluster.Client.GetGrain<IDataSourceGrain>(name);
        var result = await grain.RegisterAsync(new DataSourceDefinition(SqliteConnector.TypeName, null,
            $$"""{"path":"{{SampleDatabases.JobsFile}}"}""", DataAccessDefault.None, new Dictionary<string, MaskKind>(),
            DataQuotas.Unlimited, TimeSpan.Zero, null), "test");
        Assert.Equal(DataCommandOutcome.Ok, result.Outcome);
        return grain;
    }

    private static async Task GrantAsync(IDataSourceGrain grain, string keyId, DataQuotas? quotas = null,
        IReadOnlyDictionary<string, MaskKind>? masks = null)
    {
        var tables = masks is null ? null : new Dictionary<string, TableGrant> { ["jobs"] = TableGrant.Everything with { Masks = masks } };
        var result = await grain.SetGrantAsync(keyId, new DataGrant(tables, false, quotas), "test");
        Assert.Equal(DataCommandOutcome.Ok, result.Outcome);
    }

    private static DataCaller Caller(string keyId) => new(keyId, "owner-" + keyId, IsAdmin: false);

    private static DataQuery Jobs(int limit) => new("jobs", ["job_id", "title", "company"], [], [], limit, 0);

    private Task<DataQueryResult> ReadOnAsync(int silo, string source, string keyId, int limit = 3) =>
        Silo(silo).GetGrain<IDataSourceExecutorGrain>(source).QueryAsync(Jobs(limit), Caller(keyId));

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} within {Deadline.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Executors_on_two_silos_share_a_source_and_each_runs_its_reads_on_its_own_silo()
    {
        await RegisterAsync("shared_db");
        await GrantAsync(_cluster.Client.GetGrain<IDataSourceGrain>("shared_db"), "key_shared");

        var first = await ReadOnAsync(0, "shared_db", "key_shared");
        var second = await ReadOnAsync(1, "shared_db", "key_shared");

        Assert.Equal(DataQueryOutcome.Ok, first.Outcome);
        Assert.Equal(DataQueryOutcome.Ok, second.Outcome);
        Assert.Equal(first.RowsJson, second.RowsJson);
        // Each silo fetched the policy and built a connector of its own: the read ran where it arrived.
        var policies = new[] { Runtime(0).Peek("shared_db"), Runtime(1).Peek("shared_db") };
        Assert.All(policies, p => Assert.NotNull(p?.Connector));
        Assert.Equal(policies[0]!.Policy.Version, policies[1]!.Policy.Version);
    }

    [Fact]
    public async Task A_grant_change_reaches_the_executors_on_every_silo_within_the_policy_lease()
    {
        var grain = await RegisterAsync("grants_db");
        await GrantAsync(grain, "key_change");
        // Both silos hold the policy before the change, so the change has to reach them.
        Assert.Equal(DataQueryOutcome.Ok, (await ReadOnAsync(0, "grants_db", "key_change")).Outcome);
        Assert.Equal(DataQueryOutcome.Ok, (await ReadOnAsync(1, "grants_db", "key_change")).Outcome);
        Assert.Empty((await ReadOnAsync(0, "grants_db", "key_change")).MaskedFields!);

        var changed = DateTime.UtcNow;
        await GrantAsync(grain, "key_change", masks: new Dictionary<string, MaskKind> { ["company"] = MaskKind.Redact });
        foreach (var silo in new[] { 0, 1 })
        {
            await EventuallyAsync(async () => (await ReadOnAsync(silo, "grants_db", "key_change")).MaskedFields!.ContainsKey("company"),
                $"the mask on silo {silo}");
            var took = DateTime.UtcNow - changed;
            // The lease is the bound (the change stream usually makes it milliseconds); a second of slack for a loaded machine.
            Assert.True(took < Lease + TimeSpan.FromSeconds(1), $"silo {silo} applied the new grant after {took.TotalMilliseconds:0} ms");
        }

        await grain.RemoveGrantAsync("key_change", "test");
        foreach (var silo in new[] { 0, 1 })
        {
            await EventuallyAsync(async () => (await ReadOnAsync(silo, "grants_db", "key_change")).Outcome == DataQueryOutcome.NotFound,
                $"the revocation on silo {silo}");
        }
        Assert.True(DateTime.UtcNow - changed < Lease * 2 + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_query_quota_stays_exact_under_concurrent_reads_through_both_silos_executors()
    {
        const int quota = 12;
        var grain = await RegisterAsync("quota_db");
        await GrantAsync(grain, "key_quota", new DataQuotas(quota, null));

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => ReadOnAsync(i % 2, "quota_db", "key_quota")));

        Assert.Equal(quota, results.Count(r => r.Outcome == DataQueryOutcome.Ok));
        Assert.Equal(40 - quota, results.Count(r => r.Outcome == DataQueryOutcome.QuotaExceeded));
        var usage = await Silo(0).GetGrain<IDataSourceExecutorGrain>("quota_db").GetUsageAsync("key_quota", "owner-key_quota");
        Assert.Equal(quota, usage!.QueriesToday);
    }

    [Fact]
    public async Task A_row_quota_stays_exact_under_concurrent_reads_through_both_silos_executors()
    {
        const int rowQuota = 23;
        var grain = await RegisterAsync("rows_db");
        await GrantAsync(grain, "key_rows", new DataQuotas(null, rowQuota));

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => ReadOnAsync(i % 2, "rows_db", "key_rows", limit: 5)));

        Assert.Equal(rowQuota, results.Where(r => r.Outcome == DataQueryOutcome.Ok).Sum(r => r.RowCount));
        Assert.Contains(results, r => r.LimitedByQuota);
        Assert.All(results, r => Assert.True(r.Outcome is DataQueryOutcome.Ok or DataQueryOutcome.QuotaExceeded, r.Detail));
        var usage = await Silo(1).GetGrain<IDataSourceExecutorGrain>("rows_db").GetUsageAsync("key_rows", "owner-key_rows");
        Assert.Equal(rowQuota, usage!.RowsToday);
    }

    [Fact]
    public async Task Every_read_is_audited_and_its_counters_reach_the_grain_even_when_a_silo_stops()
    {
        var grain = await RegisterAsync("audit_db");
        await GrantAsync(grain, "key_audit");

        var reads = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => ReadOnAsync(i % 2, "audit_db", "key_audit")));
        var refused = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => ReadOnAsync(i % 2, "audit_db", "key_nobody")));

        Assert.All(reads, r => Assert.Equal(DataQueryOutcome.Ok, r.Outcome));
        Assert.All(refused, r => Assert.Equal(DataQueryOutcome.NotFound, r.Outcome));
        // An entry is committed before its read answers, so all are there the moment the reads are done.
        Assert.Equal(30, _audit.For("audit_db").Count(e => e.KeyId == "key_audit" && e.Decision == AuditDecision.Allowed));
        Assert.Equal(6, _audit.For("audit_db").Count(e => e.KeyId == "key_nobody" && e.Decision == AuditDecision.Denied));

        // Silo 1's counters were never reported (the interval is an hour); its orderly stop sends them.
        await _cluster.StopSiloAsync(_cluster.Silos[1]);
        var status = await Silo(0).GetGrain<IDataSourceExecutorGrain>("audit_db").GetStatusAsync();
        Assert.Equal(30, status!.Queries);
        Assert.Equal(6, status.Denied);
        Assert.Equal(30 * 3, status.RowsReturned);
        var usage = await _cluster.Client.GetGrain<IDataSourceGrain>("audit_db").GetUsageAsync("key_audit", "owner-key_audit");
        Assert.Equal(30, usage!.QueriesToday);
        Assert.Equal(30, usage.TotalQueries);
    }

    /// <summary>Keeps every entry in memory; shared by both silos.</summary>
    private sealed class RecordingAuditStore : IAuditStore
    {
        private readonly ConcurrentQueue<AuditEntry> _entries = new();

        public IReadOnlyList<AuditEntry> For(string source) => _entries.Where(e => e.Source == source).ToArray();

        public Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
        {
            foreach (var entry in entries)
            {
                _entries.Enqueue(entry);
            }
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AuditEntry>>(_entries.ToArray());
    }
}
