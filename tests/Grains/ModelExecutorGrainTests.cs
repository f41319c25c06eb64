using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Mcp.Cluster.Hosting;
using Mcp.Cluster.Models;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Mcp.Cluster.Tests.Grains;

/// <summary>
/// Two silos, one model: each silo's executor does the work, the model grain decides. Calls are made through each
/// silo's own grain factory, so the stateless executor they reach is that silo's.
/// </summary>
[Trait("Tier", "Grain")]
public sealed class ModelExecutorGrainTests : IAsyncLifetime
{
    /// <summary>The plan lease configured here: the bound within which a decision reaches every silo's executor.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(1);

    private static readonly ModelCaller Admin = new("key_admin", "admins", IsAdmin: true);

    private readonly TempDirectory _data = new();
    private readonly ModelServiceWireServer _service = new("svc-secret");
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        await _service.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:DataDirectory"] = _data.Path,
            ["Dashboard:Enabled"] = "false",
            ["Models:CircuitFailureThreshold"] = "3",
            ["Models:CircuitBreakDuration"] = "00:01:00",
            ["Models:ExecutorPlanLease"] = Lease.ToString(),
            ["Models:SeedBuiltInModels"] = "false",
        }).Build();
        var options = new McpClusterOptions { DataDirectory = _data.Path };
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo.AddMcpSilo(configuration, options));
        builder.ConfigureClient(client => client.AddMemoryStreams(Mcp.Cluster.Changes.ChangeStreams.Provider));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _service.DisposeAsync();
        _data.Dispose();
    }

    private IGrainFactory Silo(int index) => _cluster.Silos[index].ServiceProvider.GetRequiredService<IGrainFactory>();

    private async Task<string> RegisterAsync(string? inputSchema = null)
    {
        var id = "mod_" + Guid.NewGuid().ToString("N")[..16];
        var definition = new ModelDefinition(ModelName.Parse("exec-" + Guid.NewGuid().ToString("N")[..8]), ModelVersion.Parse("1.0.0"), null, ModelType.Internal, "http", inputSchema, null, [],
            new JsonObject
            {
                ["url"] = new Uri(_service.BaseUri, "predict").ToString(),
                ["headers"] = new JsonObject { ["X-Service-Key"] = "svc-secret" },
                ["max_retries"] = 0,
            }.ToJsonString());
        var registered = await _cluster.Client.GetGrain<IModelGrain>(id).RegisterAsync(definition, Admin);
        Assert.Equal(ModelCommandOutcome.Ok, registered.Outcome);
        return id;
    }

    private Task<PredictionResult> PredictOnAsync(int silo, string id, string input) =>
        Silo(silo).GetGrain<IModelExecutorGrain>(id).PredictAsync(Encoding.UTF8.GetBytes(input));

    /// <summary>Calls the executor of <paramref name="silo"/> until it refuses as <paramref name="expected"/> says; the time that took.</summary>
    private async Task<TimeSpan> UntilRefusedAsync(int silo, string id, string expected, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        var deadline = Deadlines.Scaled(within);
        while (true)
        {
            var result = await PredictOnAsync(silo, id, """{"amount":1}""");
            if (result.Outcome == PredictionOutcome.Unavailable && result.Detail!.Contains(expected, StringComparison.Ordinal))
            {
                return clock.Elapsed;
            }
            Assert.True(clock.Elapsed < deadline, $"silo {silo}'s executor still served the model {clock.Elapsed.TotalSeconds:F1} s later: {result.Outcome} {result.Detail}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Executors_on_two_silos_serve_one_model_and_report_their_counts_to_it()
    {
        var id = await RegisterAsync();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(PredictionOutcome.Ok, (await PredictOnAsync(0, id, """{"amount":1000}""")).Outcome);
            Assert.Equal(PredictionOutcome.Ok, (await PredictOnAsync(1, id, """{"amount":1000}""")).Outcome);
        }

        // One executor activation on each silo.
        var statistics = await _cluster.Client.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        var executors = statistics.Where(s => s.GrainType.Contains("ModelExecutor", StringComparison.Ordinal) && s.ActivationCount > 0).ToArray();
        Assert.Equal(2, executors.Select(s => s.SiloAddress).Distinct().Count());
        // Their counts reach the model grain in batches; flushed here so the total can be read at once.
        await Silo(0).GetGrain<IModelExecutorGrain>(id).FlushAsync();
        await Silo(1).GetGrain<IModelExecutorGrain>(id).FlushAsync();
        Assert.Equal(6, (await _cluster.Client.GetGrain<IModelGrain>(id).GetStatusAsync())!.TotalRequests);
    }

    [Fact]
    public async Task Failures_reported_by_one_silo_open_the_breaker_and_the_other_silo_obeys_within_the_lease()
    {
        var id = await RegisterAsync();
        // Both executors hold a plan that admits traffic.
        Assert.Equal(PredictionOutcome.Ok, (await PredictOnAsync(0, id, """{"amount":1}""")).Outcome);
        Assert.Equal(PredictionOutcome.Ok, (await PredictOnAsync(1, id, """{"amount":1}""")).Outcome);
        _service.FailNext = 1000;

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(PredictionOutcome.ModelError, (await PredictOnAsync(0, id, """{"amount":1}""")).Outcome);
        }
        var callsAtTrip = _service.Count("/predict");

        // The silo that saw the failures follows the breaker on its very next call, without calling the provider.
        var paused = await PredictOnAsync(0, id, """{"amount":1}""");
        Assert.Equal(PredictionOutcome.Unavailable, paused.Outcome);
        Assert.Contains("3 consecutive failures", paused.Detail);
        Assert.True(paused.RetryAfter > TimeSpan.Zero);
        Assert.Equal(callsAtTrip, _service.Count("/predict"));
        Assert.Equal(CircuitState.Open, (await _cluster.Client.GetGrain<IModelGrain>(id).GetStatusAsync())!.Circuit);

        // The other silo's executor obeys within its lease (plus the call that asks).
        var took = await UntilRefusedAsync(1, id, "consecutive failures", Lease + TimeSpan.FromSeconds(2));
        Assert.True(took <= Deadlines.Scaled(Lease + TimeSpan.FromSeconds(2)), $"took {took.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task A_patch_reaches_the_executors_of_every_silo_within_the_lease()
    {
        var id = await RegisterAsync();
        Assert.Equal(PredictionOutcome.Ok, (await PredictOnAsync(0, id, """{"amount":1}""")).Outcome);
        Assert.Equal(PredictionOutcome.Ok, (await PredictOnAsync(1, id, """{"amount":1}""")).Outcome);
        var before = await Silo(1).GetGrain<IModelExecutorGrain>(id).GetPlanAsync();

        var patched = await _cluster.Client.GetGrain<IModelGrain>(id).UpdateAsync(new ModelPatch { Status = ModelStatus.Maintenance }, Admin);
        Assert.Equal(ModelCommandOutcome.Ok, patched.Outcome);

        await UntilRefusedAsync(0, id, "maintenance", Lease + TimeSpan.FromSeconds(2));
        await UntilRefusedAsync(1, id, "maintenance", Lease + TimeSpan.FromSeconds(2));
        var after = await Silo(1).GetGrain<IModelExecutorGrain>(id).GetPlanAsync();
        Assert.NotEqual(before.Version, after.Version);
        Assert.NotNull(after.Admission);
    }

    [Fact]
    public async Task A_delete_reaches_the_executors_of_every_silo_within_the_lease()
    {
        var id = await RegisterAsync();
        Assert.Equal(PredictionOutcome.Ok, (await PredictOnAsync(0, id, """{"amount":1}""")).Outcome);
        Assert.Equal(PredictionOutcome.Ok, (await PredictOnAsync(1, id, """{"amount":1}""")).Outcome);
        var calls = _service.Count("/predict");

        Assert.Equal(ModelCommandOutcome.Ok, (await _cluster.Client.GetGrain<IModelGrain>(id).DeleteAsync(Admin)).Outcome);

        // The not-found plan is newer than every plan the executors followed, so each follows it once its lease ends
        // (before, its version 0 lost to theirs and a silo kept serving the deleted model on its old plan).
        foreach (var silo in new[] { 0, 1 })
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var result = await PredictOnAsync(silo, id, """{"amount":1}""");
                if (result.Outcome == PredictionOutcome.NotFound)
                {
                    break;
                }
                Assert.True(deadline.Elapsed < Deadlines.Scaled(Lease + TimeSpan.FromSeconds(2)),
                    $"silo {silo}'s executor still served the deleted model {deadline.Elapsed.TotalSeconds:F1} s later: {result.Outcome}");
                await Task.Delay(50);
            }
        }
        // Once refused, a silo never calls the provider for the deleted model again.
        var after = _service.Count("/predict");
        Assert.Equal(PredictionOutcome.NotFound, (await PredictOnAsync(0, id, """{"amount":1}""")).Outcome);
        Assert.Equal(PredictionOutcome.NotFound, (await PredictOnAsync(1, id, """{"amount":1}""")).Outcome);
        Assert.Equal(after, _service.Count("/predict"));
        Assert.True(after >= calls);
    }

    [Theory]
    [InlineData("""{}""", "Required field 'amount' is missing", "amount")]
    [InlineData("""{"amount":"x"}""", "Field 'amount' must be a number", "amount")]
    [InlineData("""{"amount":-1}""", "Field 'amount' must be at least 0", "amount")]
    [InlineData("""[1]""", "The input must be an object", null)]
    [InlineData("""{"amount":1,"amount":2}""", "The JSON names a property twice in one object: 'amount' at byte 12.", null)]
    public async Task An_input_is_refused_with_the_same_words_as_before_and_never_reaches_the_provider(string input, string detail, string? field)
    {
        var id = await RegisterAsync("""{"type":"object","properties":{"amount":{"type":"number","minimum":0}},"required":["amount"]}""");
        var calls = _service.Count("/predict");

        var result = await PredictOnAsync(1, id, input);

        Assert.Equal(PredictionOutcome.ValidationError, result.Outcome);
        Assert.Equal(detail, result.Detail);
        Assert.Equal(field, result.Field);
        Assert.Equal(calls, _service.Count("/predict"));
        Assert.Equal(0, (await _cluster.Client.GetGrain<IModelGrain>(id).GetStatusAsync())!.ConsecutiveFailures);
    }

    [Fact]
    public async Task A_batch_is_checked_and_run_from_the_one_body_it_arrives_in()
    {
        var id = await RegisterAsync("""{"type":"object","properties":{"amount":{"type":"number"}},"required":["amount"]}""");
        var executor = Silo(0).GetGrain<IModelExecutorGrain>(id);

        var ok = await executor.PredictBatchAsync(Encoding.UTF8.GetBytes("""{"inputs":[{"amount":1000},{"amount":5000}]}"""));
        var second = await executor.PredictBatchAsync(Encoding.UTF8.GetBytes("""{"inputs":[{"amount":1},{"amount":"x"}]}"""));
        var unknown = await executor.PredictBatchAsync(Encoding.UTF8.GetBytes("""{"inputs":[{"amount":1}],"extra":1}"""));
        var empty = await executor.PredictBatchAsync(Encoding.UTF8.GetBytes("""{"inputs":[]}"""));

        Assert.Equal(PredictionOutcome.Ok, ok.Outcome);
        Assert.Equal(2, ok.Outputs.Count);
        Assert.Equal(0.5, JsonNode.Parse(ok.Outputs[1])!["risk"]!.GetValue<double>());
        Assert.Equal(("Field 'amount' must be a number", 1), (second.Detail, second.Index));
        Assert.Equal(("Unknown field 'extra'. The body is {\"inputs\": [...]}.", "extra"), (unknown.Detail, unknown.Field));
        Assert.Equal(("Field 'inputs' must be a non-empty array.", "inputs"), (empty.Detail, empty.Field));
    }
}
