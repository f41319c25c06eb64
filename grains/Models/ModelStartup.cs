using Mcp.Cluster.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Models;

/// <summary>
/// When a silo becomes active: wakes every registered model so health loops run without waiting for traffic (the
/// keep-alive reminder takes over from there), and in local mode registers the built-in sentiment model once so a
/// fresh install has something to predict with.
/// </summary>
public sealed class ModelStartup(
    IGrainFactory grains,
    IOptions<ModelGrainOptions> options,
    IOptions<McpClusterOptions> cluster,
    ILogger<ModelStartup> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public const string BuiltInSentimentId = "mod_builtin_sentiment_v1";

    private const string BuiltInSentimentDescription =
        "Built-in English sentiment model (VADER's lexicon and rules feeding an ML.NET regression, shipped with MCP Cluster): {sentiment, confidence}.";

    private static readonly ModelCaller SystemCaller = new("system", "system", IsAdmin: true);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe<ModelStartup>(ServiceLifecycleStage.Active, OnStartAsync, _ => Task.CompletedTask);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        // Not awaited: silo start must not wait on model backends.
        _ = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task RunAsync()
    {
        try
        {
            var catalog = grains.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global);
            if (cluster.Value.Mode == ClusterMode.Local && options.Value.SeedBuiltInModels)
            {
                var seeded = await catalog.ResolveAsync(ModelName.Parse("sentiment"), ModelVersion.Parse("1.0.0"));
                if (seeded is null)
                {
                    var result = await grains.GetGrain<IModelGrain>(BuiltInSentimentId).RegisterAsync(
                        new ModelDefinition(ModelName.Parse("sentiment"), ModelVersion.Parse("1.0.0"), BuiltInSentimentDescription,
                            ModelType.Internal, "builtin", null, null, [], """{"model":"sentiment"}"""),
                        SystemCaller);
                    logger.LogInformation("Built-in sentiment model: {Outcome}", result.Outcome);
                }
                else if (seeded == BuiltInSentimentId)
                {
                    await UpgradeBuiltInSentimentAsync();
                }
            }
            var ids = await catalog.GetAllModelIdsAsync();
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 },
                async (id, _) => await grains.GetGrain<IModelGrain>(id).WakeAsync());
            logger.LogInformation("Woke {Count} registered models", ids.Count);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Waking registered models failed; they start on their first request instead");
        }
    }

    /// <summary>
    /// A data folder seeded by an earlier version keeps the built-in model's task as it was stored (classification,
    /// <c>{label, score}</c>); unless someone chose a task for it, it moves to the model's own shape, the user guide's.
    /// </summary>
    private async Task UpgradeBuiltInSentimentAsync()
    {
        var model = grains.GetGrain<IModelGrain>(BuiltInSentimentId);
        if (await model.GetAsync() is not { Task: ModelTask.Classification, Provider: "builtin" } info
            || System.Text.Json.Nodes.JsonNode.Parse(info.Config) is not System.Text.Json.Nodes.JsonObject config
            || config.ContainsKey("task"))
        {
            return;
        }
        var result = await model.UpdateAsync(new ModelPatch { SetDescription = true, Description = BuiltInSentimentDescription, ConfigMergePatch = "{}" }, SystemCaller);
        logger.LogInformation("Built-in sentiment model moved to the sentiment task: {Outcome}", result.Outcome);
    }
}
