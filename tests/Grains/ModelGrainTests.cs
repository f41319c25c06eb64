using Mcp.Cluster.Completions;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Mcp.Cluster.Models;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Grains;

[Collection(ClusterCollection.Name)]
[Trait("Tier", "Grain")]
public sealed class ModelGrainTests(ClusterFixture fixture) : IAsyncLifetime
{
    private static readonly ModelCaller Admin = new("key_admin", "admins", IsAdmin: true);
    private static readonly ModelCaller Alice = new("key_alice", "alice", IsAdmin: false);

    private readonly ModelServiceWireServer _service = new("svc-secret");

    public Task InitializeAsync() => _service.StartAsync();

    public Task DisposeAsync() => _service.DisposeAsync().AsTask();

    private IModelCatalogGrain Catalog => fixture.Grains.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global);

    private static string NewId() => "mod_" + Guid.NewGuid().ToString("N")[..16];

    private ModelDefinition ServiceModel(string name, string version = "1.0.0", string? url = null) => new(
        ModelName.Parse(name), ModelVersion.Parse(version), null, ModelType.Internal, "http", null, null, [],
        new JsonObject
        {
            ["url"] = url ?? new Uri(_service.BaseUri, "predict").ToString(),
            ["headers"] = new JsonObject { ["X-Service-Key"] = "svc-secret" },
            ["max_retries"] = 0,
        }.ToJsonString());

    [Fact]
    public async Task Register_indexes_the_model_and_delete_removes_it_with_its_aliases()
    {
        var name = "grain-" + Guid.NewGuid().ToString("N")[..8];
        var id = NewId();
        var grain = fixture.Grains.GetGrain<IModelGrain>(id);

        // A public placeholder: a non-admin may not target the loopback wire server, and this model is never called.
        var registered = await grain.RegisterAsync(ServiceModel(name, url: "https://service.example/predict"), Alice);

        Assert.Equal(ModelCommandOutcome.Ok, registered.Outcome);
        Assert.Equal(ModelTask.Predict, registered.Model!.Task);
        var modelName = ModelName.Parse(name);
        var production = ModelAliasName.Parse("production");
        Assert.Equal(id, await Catalog.ResolveAsync(modelName, ModelVersion.Parse("1.0.0")));
        Assert.Equal(id, await Catalog.ResolveAsync(modelName, ModelSelector.Latest));
        var v1 = ModelVersion.Parse("1.0.0");
        Assert.Equal(new ModelAliasResult(ModelCommandOutcome.Ok, new ModelAlias("production", id, "1.0.0")), await Catalog.SetAliasAsync(modelName, production, v1, Alice));
        Assert.Equal(ModelCommandOutcome.NotFound, (await Catalog.SetAliasAsync(ModelName.Parse("other-name"), production, v1, Alice)).Outcome);
        Assert.Equal(ModelCommandOutcome.NotFound, (await Catalog.SetAliasAsync(modelName, production, ModelVersion.Parse("9.9.9"), Alice)).Outcome);
        Assert.Equal(ModelCommandOutcome.Forbidden, (await Catalog.SetAliasAsync(modelName, production, v1, new ModelCaller("key_bob", "bob", false))).Outcome);
        Assert.Equal(ModelCommandOutcome.Invalid, await Catalog.RemoveAliasAsync(modelName, ModelAliasName.Parse("latest"), Alice));
        Assert.Equal(ModelCommandOutcome.NotFound, await Catalog.RemoveAliasAsync(modelName, ModelAliasName.Parse("staging"), Alice));

        Assert.Equal(ModelCommandOutcome.Forbidden, (await grain.DeleteAsync(new ModelCaller("key_bob", "bob", false))).Outcome);
        Assert.Equal(ModelCommandOutcome.Ok, (await grain.DeleteAsync(Alice)).Outcome);

        Assert.Null(await grain.GetAsync());
        Assert.Null(await Catalog.ResolveAsync(modelName, production));
        Assert.Empty(await Catalog.GetAliasesAsync(modelName));
        Assert.Equal(ModelCommandOutcome.NotFound, (await grain.DeleteAsync(Admin)).Outcome);
    }

    [Fact]
    public async Task A_second_model_with_the_same_name_and_version_is_refused_and_leaves_nothing_behind()
    {
        var name = "dup-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(ModelCommandOutcome.Ok, (await fixture.Grains.GetGrain<IModelGrain>(NewId()).RegisterAsync(ServiceModel(name), Admin)).Outcome);
        var loser = fixture.Grains.GetGrain<IModelGrain>(NewId());

        var second = await loser.RegisterAsync(ServiceModel(name), Admin);

        Assert.Equal(ModelCommandOutcome.Conflict, second.Outcome);
        Assert.Null(await loser.GetAsync());
        Assert.Equal(1, (await Catalog.ListAsync(new ModelQuery(name, null, null, 0, 10))).Total);
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_version_produce_exactly_one_model()
    {
        var name = "race-" + Guid.NewGuid().ToString("N")[..8];

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            fixture.Grains.GetGrain<IModelGrain>(NewId()).RegisterAsync(ServiceModel(name), Admin)));

        Assert.Single(results, r => r.Outcome == ModelCommandOutcome.Ok);
        Assert.Equal(7, results.Count(r => r.Outcome == ModelCommandOutcome.Conflict));
        Assert.Equal(1, (await Catalog.ListAsync(new ModelQuery(name, null, null, 0, 10))).Total);
    }

    [Fact]
    public async Task Predictions_on_one_model_run_concurrently_rather_than_one_after_another()
    {
        var grain = fixture.Grains.GetGrain<IModelGrain>(NewId());
        await grain.RegisterAsync(ServiceModel("slow-" + Guid.NewGuid().ToString("N")[..8]), Admin);
        _service.Delay = TimeSpan.FromMilliseconds(500);

        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => grain.PredictAsync($$"""{"amount":{{i}}}""")));
        clock.Stop();

        Assert.All(results, r => Assert.Equal(PredictionOutcome.Ok, r.Outcome));
        // One after another would take at least 5 s.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"10 predictions of 500 ms took {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task A_cancelled_caller_cancels_the_upstream_call_without_counting_a_failure()
    {
        var grain = fixture.Grains.GetGrain<IModelGrain>(NewId());
        await grain.RegisterAsync(ServiceModel("cancel-" + Guid.NewGuid().ToString("N")[..8]), Admin);
        _service.Delay = TimeSpan.FromSeconds(10);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => grain.PredictAsync("""{"amount":1}""", cancel.Token));

        var status = await grain.GetStatusAsync();
        Assert.Equal(0, status!.ConsecutiveFailures);
        Assert.Equal(CircuitState.Closed, status.Circuit);
    }

    [Fact]
    public async Task A_changed_endpoint_takes_effect_on_the_next_request()
    {
        await using var replacement = new ModelServiceWireServer("svc-secret");
        await replacement.StartAsync();
        var grain = fixture.Grains.GetGrain<IModelGrain>(NewId());
        await grain.RegisterAsync(ServiceModel("moved-" + Guid.NewGuid().ToString("N")[..8]), Admin);
        Assert.Equal(PredictionOutcome.Ok, (await grain.PredictAsync("""{"amount":1}""")).Outcome);

        var updated = await grain.UpdateAsync(new ModelPatch
        {
            ConfigMergePatch = new JsonObject { ["url"] = new Uri(replacement.BaseUri, "predict").ToString(), ["headers"] = new JsonObject { ["X-Service-Key"] = "********" } }.ToJsonString(),
        }, Admin);
        Assert.Equal(ModelCommandOutcome.Ok, updated.Outcome);

        Assert.Equal(PredictionOutcome.Ok, (await grain.PredictAsync("""{"amount":2}""")).Outcome);
        Assert.Equal(1, replacement.Count("/predict"));
        Assert.Equal(1, _service.Count("/predict"));
    }

    [Fact]
    public async Task The_model_keeps_each_completions_record_and_only_its_owner_can_cancel_it()
    {
        await using var upstream = new OpenAiWireServer("sk-test") { StreamDelay = TimeSpan.FromMilliseconds(100) };
        await upstream.StartAsync();
        var modelId = NewId();
        var grain = fixture.Grains.GetGrain<IModelGrain>(modelId);
        // The executor streams; the model grain keeps the records.
        var executor = fixture.Grains.GetGrain<IModelExecutorGrain>(modelId);
        var config = new JsonObject { ["base_url"] = upstream.V1.ToString(), ["api_key"] = "sk-test", ["provider_model"] = "gpt-test" };
        await grain.RegisterAsync(new ModelDefinition(ModelName.Parse("records-" + Guid.NewGuid().ToString("N")[..8]), ModelVersion.Parse("1.0.0"), null, ModelType.ThirdParty,
            "openai", null, null, [], config.ToJsonString()), Admin);
        var origin = new CompletionOrigin("key_alice", "alice", "r1");
        var finishedId = CompletionIds.New("cmpl_", modelId);
        var runningId = CompletionIds.New("cmpl_", modelId);
        Assert.True(CompletionIds.TryGetModelId(runningId, out var parsed));
        Assert.Equal(modelId, parsed);

        await foreach (var _ in executor.StreamAsync(new CompletionRequest([], "one two three", 5, null, null, null, finishedId, origin)))
        {
        }
        var finished = await grain.GetCompletionAsync(finishedId);
        Assert.Equal(CompletionState.Completed, finished!.State);
        Assert.Equal("alice", finished.Start.Owner);
        Assert.Equal("r1", finished.Start.RequestId);
        Assert.Equal("stop", finished.End!.FinishReason);
        Assert.False(string.IsNullOrEmpty(finished.End.Text));
        Assert.True(finished.End.CompletionTokens > 0);
        Assert.Equal(CancelCompletionOutcome.AlreadyFinished, await grain.CancelCompletionAsync(finishedId, "alice", isAdmin: false));
        Assert.Equal(CancelCompletionOutcome.NotFound, await grain.CancelCompletionAsync(CompletionIds.New("cmpl_", modelId), "alice", isAdmin: false));

        var chunks = new List<CompletionChunk>();
        var other = new List<CompletionChunk>();
        var stream = Task.Run(async () =>
        {
            await foreach (var chunk in executor.StreamAsync(new CompletionRequest([], "a b c d e f g h i j k l m n o p", 40, null, null, null, runningId, origin)))
            {
                chunks.Add(chunk);
            }
        });
        var untouched = Task.Run(async () =>
        {
            await foreach (var chunk in executor.StreamAsync(new CompletionRequest([], "x y z", 5, null, null, null, CompletionIds.New("cmpl_", modelId), origin)))
            {
                other.Add(chunk);
            }
        });
        await ModelTestHelpers.EventuallyAsync(() => Task.FromResult(chunks.Count >= 2), TimeSpan.FromSeconds(30), "two streamed chunks");
        Assert.Equal(CompletionState.Running, (await grain.GetCompletionAsync(runningId))!.State);
        Assert.Equal(CancelCompletionOutcome.Forbidden, await grain.CancelCompletionAsync(runningId, "mallory", isAdmin: false));
        Assert.Equal(CancelCompletionOutcome.Cancelling, await grain.CancelCompletionAsync(runningId, "alice", isAdmin: false));
        await stream.WaitAsync(TimeSpan.FromSeconds(10));
        await untouched.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(PredictionOutcome.Cancelled, chunks[^1].Error);
        Assert.Equal("stop", other[^1].FinishReason);
        var cancelled = await grain.GetCompletionAsync(runningId);
        Assert.Equal(CompletionState.Cancelled, cancelled!.State);
        Assert.Equal(string.Concat(chunks.Where(c => c.Error is null).Select(c => c.Text)), cancelled.End!.Text);
        Assert.StartsWith("echo: a", cancelled.End.Text);
        Assert.Null(await grain.GetCompletionAsync("cmpl_unknown"));
    }
}
