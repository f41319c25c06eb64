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
            if (cluster.Value.Mode == ClusterMode.Local && options.Value.SeedBuiltInModels
                && await catalog.ResolveAsync("sentiment", "1.0.0") is null)
            {
                var result = await grains.GetGrain<IModelGrain>(BuiltInSentimentId).RegisterAsync(
                    new ModelDefinition("sentiment", "1.0.0",
                        "Built-in English sentiment classifier (ML.NET, trained at startup on sentences shipped with MCP Cluster).",
                        ModelType.Internal, "builtin", null, null, [], """{"model":"sentiment"}"""),
                    new ModelCaller("system", "system", IsAdmin: true));
                logger.LogInformation("Built-in sentiment model: {Outcome}", result.Outcome);
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
}
