using System.Text;
using System.Text.Json.Nodes;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Completions;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Hosting;
using Mcp.Cluster.Models;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Mcp.Cluster.Tests.Grains;

/// <summary>
/// Token reservations are leases: a gateway that dies mid-stream stops renewing, and the key grain settles the
/// reservation itself and stops the completion's provider call. The key grains' clock is a <see cref="FakeTimeProvider"/>
/// (registered under <see cref="ApiKeyGrain.Clock"/>), so leases run out when the test says, not after 30 s.
/// </summary>
[Trait("Tier", "Grain")]
public sealed class TokenLeaseTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _data = new();
    private readonly FakeTimeProvider _keyClock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ApiKeyHasher _hasher = new(Encoding.UTF8.GetBytes("lease-tests-hash-secret-0123456789abcdef"));
    private InProcessTestCluster _cluster = null!;

    private IGrainFactory Grains => _cluster.Client;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:DataDirectory"] = _data.Path,
            ["ApiKeys:TokenLeaseDuration"] = Lease.ToString(),
            // Real time: how soon a lease that ran out (on the fake clock) is noticed.
            ["ApiKeys:TokenLeaseCheckInterval"] = "00:00:00.100",
        }).Build();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMcpSilo(configuration, new McpClusterOptions { DataDirectory = _data.Path });
            silo.Services.AddKeyedSingleton<TimeProvider>(ApiKeyGrain.Clock, _keyClock);
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

    private async Task<IApiKeyGrain> CreateKeyAsync()
    {
        var (keyId, apiKey) = ApiKeyFormat.Generate();
        var grain = Grains.GetGrain<IApiKeyGrain>(keyId);
        Assert.NotNull(await grain.CreateAsync(new NewApiKey("lease-owner", null, Permissions.Execute, RateLimit.Default, QuotaLimits.Unlimited,
            null, _hasher.Hash(apiKey), ApiKeyFormat.DisplayPrefix(apiKey), "test", new TokenLimits(10_000, null))));
        return grain;
    }

    private static async Task<ApiKeyUsage> WaitForUsageAsync(IApiKeyGrain key, Func<ApiKeyUsage, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var usage = (await key.GetUsageAsync())!;
            if (condition(usage))
            {
                return usage;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{what} within {Deadline.TotalSeconds} s; usage is {usage}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task An_unrenewed_reservation_is_settled_by_the_key_at_its_reserved_size_and_a_renewed_one_at_its_last_report()
    {
        var key = await CreateKeyAsync();
        var silent = await key.ReserveTokensAsync("res-silent", 100);
        Assert.True(silent.Granted);
        Assert.Equal(Lease, silent.Lease);
        Assert.True((await key.ReserveTokensAsync("res-renewed", 200)).Granted);
        Assert.Equal(300, (await key.GetUsageAsync())!.TokensThisMinute);

        // The renewed one's holder reports 10 prompt and 20 completion tokens 20 s in; the other's holder is gone.
        _keyClock.Advance(TimeSpan.FromSeconds(20));
        await key.RenewTokensAsync("res-renewed", 10, 20);
        _keyClock.Advance(TimeSpan.FromSeconds(11));

        var first = await WaitForUsageAsync(key, u => u.CompletionTokens == 100, "the unrenewed reservation is settled");
        Assert.Equal(0, first.PromptTokens);
        // Charged at its reserved size, the renewed one still reserved.
        Assert.Equal(300, first.TokensThisMinute);

        _keyClock.Advance(TimeSpan.FromSeconds(20));
        var second = await WaitForUsageAsync(key, u => u.PromptTokens == 10, "the renewed reservation is settled once its lease ran out");
        Assert.Equal(120, second.CompletionTokens);
        Assert.Equal(130, second.TokensThisMinute);
        Assert.Equal(130, second.TokensToday);

        // A settle from a holder that turns up late finds nothing open; nothing is reserved any more.
        Assert.True((await key.ReserveTokensAsync("res-after", 9_870)).Granted);
    }

    [Fact]
    public async Task A_completion_whose_consumer_vanished_has_its_provider_call_stopped_when_its_lease_runs_out()
    {
        // Loopback only: the wire server listens on 127.0.0.1. 300 words at 200 ms each: a minute of stream, so "closed
        // early" cannot be confused with the answer's end even on a loaded machine.
        await using var upstream = new OpenAiWireServer("sk-test") { StreamDelay = TimeSpan.FromMilliseconds(200) };
        await upstream.StartAsync();
        var modelId = "mod_" + Guid.NewGuid().ToString("N")[..16];
        var model = Grains.GetGrain<IModelGrain>(modelId);
        var config = new JsonObject { ["base_url"] = upstream.V1.ToString(), ["api_key"] = "sk-test", ["provider_model"] = "gpt-test" };
        Assert.Equal(ModelCommandOutcome.Ok, (await model.RegisterAsync(new ModelDefinition(ModelName.Parse("lease-" + Guid.NewGuid().ToString("N")[..8]), ModelVersion.Parse("1.0.0"), null,
            ModelType.ThirdParty, "openai", null, null, [], config.ToJsonString()), new ModelCaller("key_admin", "admins", IsAdmin: true))).Outcome);

        var key = await CreateKeyAsync();
        var completionId = CompletionIds.New("cmpl_", modelId);
        Assert.True((await key.ReserveTokensAsync(completionId, 500)).Granted);
        var prompt = string.Join(' ', Enumerable.Range(0, 300).Select(i => $"w{i}"));
        var request = new CompletionRequest([], prompt, 400, null, null, null, completionId, new CompletionOrigin(key.GetPrimaryKeyString(), "lease-owner", null),
            Heartbeat: TimeSpan.FromSeconds(1));

        // The consumer takes the first words, then vanishes: it neither pulls again nor says goodbye, as a killed gateway.
        var stream = _cluster.Client.GetGrain<IModelExecutorGrain>(modelId).StreamAsync(request).GetAsyncEnumerator();
        var texts = 0;
        while (texts < 2)
        {
            Assert.True(await stream.MoveNextAsync());
            texts += stream.Current.Text.Length > 0 ? 1 : 0;
        }
        Assert.Equal(CompletionState.Running, (await model.GetCompletionAsync(completionId))!.State);
        Assert.Equal(0, upstream.AbortedStreams);

        _keyClock.Advance(Lease + TimeSpan.FromSeconds(1));
        // Well inside the answer's minute (a normal end is not an abort), with room for a loaded machine's scheduling.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (upstream.AbortedStreams == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the provider saw its connection closed early, long before its one-minute answer ended");
            await Task.Delay(50);
        }
        var usage = await WaitForUsageAsync(key, u => u.CompletionTokens == 500, "the abandoned completion's tokens are settled");
        Assert.Equal(500, usage.TokensThisMinute);
        await stream.DisposeAsync();
    }
}
