using System.Text;
using System.Text.Json.Nodes;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Models;
using Mcp.Cluster.Storage;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Mcp.Cluster.Tests.Cluster;

/// <summary>Placement and failover of grains whose state lives in PostgreSQL, on an in-process test cluster.</summary>
[Collection(PostgresCollection.Name)]
[Trait("Tier", "System")]
public sealed class PostgresClusterTests(PostgresServer postgres)
{
    private readonly ApiKeyHasher _hasher = new(Encoding.UTF8.GetBytes("cluster-tests-hash-secret-0123456789abcdef"));

    [Fact]
    public async Task A_killed_silos_keys_come_back_from_postgres_and_an_added_silo_takes_new_keys()
    {
        await using var fixture = await PostgresClusterFixture.StartAsync(postgres, "failover", silos: 3);
        var grains = fixture.Cluster.Client;

        // Keys spread over the silos; each is used so its counters have something to lose.
        var keys = new List<(IApiKeyGrain Grain, string ApiKey)>();
        var victim = fixture.Cluster.Silos.Last();
        async Task AddKeyAsync()
        {
            var (keyId, apiKey) = ApiKeyFormat.Generate();
            var grain = grains.GetGrain<IApiKeyGrain>(keyId);
            Assert.NotNull(await grain.CreateAsync(new NewApiKey($"owner-{keys.Count}", null, Permissions.Read, new RateLimit(1000, TimeSpan.FromMinutes(1)),
                QuotaLimits.Unlimited, null, _hasher.Hash(apiKey), ApiKeyFormat.DisplayPrefix(apiKey), "test")));
            Assert.Equal(AccessOutcome.Allowed, (await grain.AuthorizeAsync(new AccessRequest(_hasher.Hash(apiKey), Permissions.Read, 1))).Outcome);
            keys.Add((grain, apiKey));
        }
        while (keys.Count < 24)
        {
            await AddKeyAsync();
        }
        // Placement is random and a client learns of the last silo a moment after it joins (one run placed all 24 on
        // the other two), so more keys follow until the victim hosts some.
        while (keys.Count < 400 && await ActivationsAsync(grains, victim.SiloAddress) == 0)
        {
            await AddKeyAsync();
        }
        var hostedOnVictim = await ActivationsAsync(grains, victim.SiloAddress);
        Assert.True(hostedOnVictim > 0, "placement put no key on the third silo");

        await fixture.Cluster.KillSiloAsync(victim);
        await fixture.Cluster.WaitForLivenessToStabilizeAsync();

        // Every key answers again, from its stored state, on a surviving silo.
        foreach (var (grain, apiKey) in keys)
        {
            var info = await grain.GetAsync();
            Assert.NotNull(info);
            Assert.Equal(AccessOutcome.Allowed, (await grain.AuthorizeAsync(new AccessRequest(_hasher.Hash(apiKey), Permissions.Read, 1))).Outcome);
        }

        var added = await fixture.Cluster.StartAdditionalSiloAsync();
        await fixture.Cluster.WaitForLivenessToStabilizeAsync();
        var registered = 0;
        for (var i = 0; i < 40; i++)
        {
            var (keyId, apiKey) = ApiKeyFormat.Generate();
            if (await grains.GetGrain<IApiKeyGrain>(keyId).CreateAsync(new NewApiKey($"late-{i}", null, Permissions.Read, RateLimit.Default,
                QuotaLimits.Unlimited, null, _hasher.Hash(apiKey), ApiKeyFormat.DisplayPrefix(apiKey), "test")) is not null)
            {
                registered++;
            }
        }
        Assert.Equal(40, registered);
        Assert.True(await ActivationsAsync(grains, added.SiloAddress) > 0, "the added silo took none of the new keys");
    }

    [Fact]
    public async Task A_second_writer_with_a_stale_version_is_refused_and_the_first_write_survives()
    {
        await using var fixture = await PostgresClusterFixture.StartAsync(postgres, "conflict", silos: 1);
        var storage = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var grainId = GrainId.Create("apikey", "key_conflictconflict");
        var first = new GrainState<ProbeState> { State = new ProbeState { Value = "first" } };
        var second = new GrainState<ProbeState> { State = new ProbeState { Value = "second" } };

        await storage.WriteStateAsync("apikey", grainId, first);
        // Another activation that never saw the first write (no version) must not overwrite it ...
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("apikey", grainId, second));
        // ... nor one holding an old version.
        var reader = new GrainState<ProbeState>();
        await storage.ReadStateAsync("apikey", grainId, reader);
        await storage.WriteStateAsync("apikey", grainId, first);
        reader.State!.Value = "stale";
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("apikey", grainId, reader));

        var current = new GrainState<ProbeState>();
        await storage.ReadStateAsync("apikey", grainId, current);
        Assert.True(current.RecordExists);
        Assert.Equal("first", current.State!.Value);
        Assert.Equal(first.ETag, current.ETag);

        await storage.ClearStateAsync("apikey", grainId, current);
        var cleared = new GrainState<ProbeState>();
        await storage.ReadStateAsync("apikey", grainId, cleared);
        Assert.Null(cleared.State!.Value); // a read always sets State, a fresh one when the record was cleared
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("apikey", grainId, first));
    }

    [Fact]
    public async Task Model_health_reminders_are_kept_in_postgres()
    {
        await using var fixture = await PostgresClusterFixture.StartAsync(postgres, "reminders", silos: 2);
        var model = fixture.Cluster.Client.GetGrain<IModelGrain>("mod_remindersreminder");
        var caller = new ModelCaller("key_admin", "admin", IsAdmin: true);
        var registered = await model.RegisterAsync(new ModelDefinition(ModelName.Parse("reminded"), ModelVersion.Parse("1.0.0"), null, ModelType.Internal, "builtin", null, null, [],
            new JsonObject { ["task"] = "classification" }.ToJsonString()), caller);
        Assert.Equal(ModelCommandOutcome.Ok, registered.Outcome);

        Assert.Equal(1, await PostgresServer.ScalarAsync<long>(fixture.ConnectionString,
            "SELECT count(*) FROM mcp_reminder WHERE grain_id = 'model/mod_remindersreminder' AND period_ms > 0"));
    }

    private static async Task<int> ActivationsAsync(IGrainFactory grains, SiloAddress silo)
    {
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics([silo]);
        return statistics.Where(s => s.GrainType.Contains("ApiKeyGrain", StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }

}

[GenerateSerializer]
public sealed class ProbeState
{
    [Id(0)] public string? Value { get; set; }
}
