using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Models;
using Mcp.Cluster.Storage;
using Mcp.Cluster.Tests.Grains;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.Infrastructure.State;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Serialization;
using Orleans.Storage;

namespace Mcp.Cluster.Tests.Cluster;

/// <summary>
/// Grain state in PostgreSQL (Cluster:Mode=Postgres): the same format as the embedded mode, every type loading back
/// with several grains side by side, writes that store the state as of the call while interleaved calls go on, and
/// keys and data sources that keep what they were given across reloads.
/// </summary>
[Trait("Tier", "System")]
[Collection(PostgresCollection.Name)]
public sealed class PostgresGrainStateTests(PostgresServer postgres)
{
    private readonly ApiKeyHasher _hasher = new(Encoding.UTF8.GetBytes("state-tests-hash-secret-0123456789abcdef"));

    [Fact]
    public async Task Every_state_type_round_trips_through_postgres_in_the_marked_format()
    {
        await using var fixture = await PostgresClusterFixture.StartAsync(postgres, "roundtrip", silos: 1);
        var storage = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var roundTrip = typeof(GrainStateFormatTests).GetMethod(nameof(GrainStateFormatTests.RoundTripAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var type in PersistedStateTypes.All)
        {
            await (Task)roundTrip.MakeGenericMethod(type).Invoke(null, [storage])!;
        }
        var marked = await PostgresServer.ScalarAsync<long>(fixture.ConnectionString,
            "SELECT count(*) FROM mcp_grain_state WHERE grain_type = 'state' AND substring(payload from 1 for 4) = '\\x4d435301'::bytea");
        Assert.Equal(3 * PersistedStateTypes.All.Count, marked);
        // Nothing the silo wrote itself meanwhile is in another format either.
        Assert.Equal(0, await PostgresServer.ScalarAsync<long>(fixture.ConnectionString,
            "SELECT count(*) FROM mcp_grain_state WHERE payload IS NOT NULL AND substring(payload from 1 for 4) <> '\\x4d435301'::bytea"));
    }

    /// <summary>
    /// Orleans' ADO.NET storage serializes only once it has a connection, on another thread. With the only pooled
    /// connection taken, the write waits for one while the caller changes the state, as interleaved predictions do:
    /// what is stored must be the state as of the call.
    /// </summary>
    [Fact]
    public async Task A_write_stores_the_state_as_of_the_call_even_when_the_caller_changes_it_while_the_write_waits()
    {
        await using var fixture = await PostgresClusterFixture.StartAsync(postgres, "snapshot", silos: 1, connectionOptions: ";Maximum Pool Size=1;Timeout=60");
        var storage = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var grainId = GrainId.Create("apikey", "key_snapshotsnapshot");
        var state = new GrainState<ProbeState>(new ProbeState { Value = "as of the call" }, null);

        var blocker = new NpgsqlConnection(fixture.ConnectionString);
        await blocker.OpenAsync();
        var write = storage.WriteStateAsync("apikey", grainId, state);
        state.State!.Value = "changed while the write waited";
        await blocker.DisposeAsync();
        await write;

        var stored = new GrainState<ProbeState>();
        await storage.ReadStateAsync("apikey", grainId, stored);
        Assert.Equal("as of the call", stored.State!.Value);
        Assert.Equal(state.ETag, stored.ETag);
    }

    /// <summary>
    /// The defect: keys reloaded on one silo all took the limits of the last one loaded (the bootstrap admin's too),
    /// and the wrong limits were written back.
    /// </summary>
    [Fact]
    public async Task Keys_reloaded_side_by_side_keep_their_own_limits()
    {
        await using var fixture = await PostgresClusterFixture.StartAsync(postgres, "limits", silos: 1);
        var grains = fixture.Cluster.Client;
        var wanted = new List<(string KeyId, RateLimit Rate, QuotaLimits Quotas)>();
        for (var i = 0; i < 12; i++)
        {
            var (keyId, apiKey) = ApiKeyFormat.Generate();
            var (rate, quotas) = (i % 3) switch
            {
                0 => (new RateLimit(1000 + i, TimeSpan.FromMinutes(1)), new QuotaLimits(null, null)),
                1 => (new RateLimit(5 + i, TimeSpan.FromMinutes(1)), new QuotaLimits(3 + i, 1000 + i)),
                _ => (RateLimit.Default, QuotaLimits.Unlimited),
            };
            Assert.NotNull(await grains.GetGrain<IApiKeyGrain>(keyId).CreateAsync(new NewApiKey($"owner-{i}", null, Permissions.Read, rate, quotas,
                null, _hasher.Hash(apiKey), ApiKeyFormat.DisplayPrefix(apiKey), "test")));
            wanted.Add((keyId, rate, quotas));
        }

        for (var round = 0; round < 2; round++)
        {
            await DeactivateEverythingAsync(fixture);
            foreach (var (keyId, rate, quotas) in wanted)
            {
                var info = await grains.GetGrain<IApiKeyGrain>(keyId).GetAsync();
                Assert.NotNull(info);
                Assert.Equal(rate, info.RateLimit);
                Assert.Equal(quotas, info.Quotas);
            }
        }
    }

    /// <summary>
    /// Table paths built by schema discovery are compiler-made collections; after a reload the source must still load,
    /// answer and be sent to callers (before, it failed with a codec error for good).
    /// </summary>
    [Fact]
    public async Task Data_source_state_with_discovered_schemas_loads_back_and_can_be_sent()
    {
        await using var fixture = await PostgresClusterFixture.StartAsync(postgres, "schemas", silos: 1);
        var silo = fixture.Cluster.Silos[0].ServiceProvider;
        var storage = silo.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var serializer = silo.GetRequiredService<Serializer>();
        var grainId = GrainId.Create("datasource", "jobs_db");
        string[] schemaAndTable = ["public", "jobs"];
        var state = new DataSourceState
        {
            Tables =
            [
                new TableSchema("jobs", [new ColumnSchema("id", DataType.Integer, false, "bigint")], [schemaAndTable[0], schemaAndTable[1]]),
                new TableSchema("single", [new ColumnSchema("name", DataType.Text, true, "TEXT")], ["single"]),
            ],
        };
        await storage.WriteStateAsync("datasource", grainId, new GrainState<DataSourceState>(state, null));

        var loaded = new GrainState<DataSourceState>();
        await storage.ReadStateAsync("datasource", grainId, loaded);
        Assert.Equal(["public", "jobs"], loaded.State!.Tables[0].Path);
        Assert.Equal(["single"], loaded.State.Tables[1].Path);
        var sent = serializer.Deserialize<List<TableSchema>>(serializer.SerializeToArray(loaded.State.Tables.ToList()))!;
        Assert.Equal(["public", "jobs"], sent[0].Path);
    }

    /// <summary>
    /// Predictions interleave with the counters' write-behind flush. Every stored snapshot must be whole (the total
    /// equals the sum of the days, as one prediction adds to both at once) and the last must hold every prediction.
    /// </summary>
    [Fact]
    public async Task Model_counters_stored_during_concurrent_predictions_are_whole_and_complete()
    {
        await using var fixture = await PostgresClusterFixture.StartAsync(postgres, "counters", silos: 1,
            new Dictionary<string, string?> { ["Models:StatsFlushInterval"] = "00:00:00.020" });
        var storage = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        const string modelId = "mod_counterscounters";
        var model = fixture.Cluster.Client.GetGrain<IModelGrain>(modelId);
        var registered = await model.RegisterAsync(new ModelDefinition(ModelName.Parse("counted"), ModelVersion.Parse("1.0.0"), null, ModelType.Internal, "builtin", null, null, [],
            new JsonObject { ["task"] = "classification" }.ToJsonString()), new ModelCaller("key_admin", "admin", IsAdmin: true));
        Assert.Equal(ModelCommandOutcome.Ok, registered.Outcome);

        using var stop = new CancellationTokenSource();
        var torn = new List<string>();
        var snapshots = 0;
        async Task WatchAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var stored = new GrainState<ModelState>();
                await storage.ReadStateAsync("model", GrainId.Create("model", modelId), stored);
                var counters = stored.State!.Counters;
                var days = counters.Days.Values.Sum(d => d.Requests);
                if (counters.Requests != days)
                {
                    torn.Add($"total {counters.Requests}, days {days}");
                }
                snapshots++;
            }
        }
        var watcher = Task.Run(WatchAsync);
        var succeeded = 0;
        var deadline = DateTime.UtcNow.AddSeconds(6);
        while (DateTime.UtcNow < deadline)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => model.PredictAsync("""{"text":"good service"}""")));
            succeeded += results.Count(r => r.Outcome == PredictionOutcome.Ok);
        }
        // The last flush follows the last prediction within the flush interval.
        var final = new GrainState<ModelState>();
        var settle = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Task.Delay(50);
            await storage.ReadStateAsync("model", GrainId.Create("model", modelId), final);
        }
        while (final.State!.Counters.Requests != succeeded && DateTime.UtcNow < settle);
        await stop.CancelAsync();
        await watcher;

        Assert.True(snapshots > 10, $"only {snapshots} stored snapshots were read");
        Assert.True(torn.Count == 0, $"{torn.Count} of {snapshots} stored snapshots were torn, e.g. {torn.FirstOrDefault()}");
        Assert.Equal(succeeded, final.State.Counters.Requests);
    }

    private static async Task DeactivateEverythingAsync(PostgresClusterFixture fixture)
    {
        var management = fixture.Cluster.Client.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
    }
}
