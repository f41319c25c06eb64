namespace Mcp.Cluster.Models;

/// <summary>
/// An immutable snapshot of everything an executor needs to serve a model, handed out by its <see cref="IModelGrain"/>:
/// the definition (schemas, provider, the stored, still encrypted config and the settings read from it) and the
/// grain's decision on traffic. <see cref="Unservable"/> refuses every call before its input is read (not found,
/// cannot load, no backend, a missing setting); <see cref="Admission"/> refuses calls whose input is valid
/// (maintenance, failing health checks, an open breaker). <see cref="Trial"/> grants the executor that received the
/// plan the one trial call of a half-open breaker. <see cref="Hosted"/>: the session and silo of a model the cluster runs itself. <see cref="DefinitionVersion"/> changes whenever the definition
/// does, so the executor rebuilds its backend and schemas only then; <see cref="Version"/> changes on any decision.
/// <see cref="Issuer"/> names the model grain activation that made the plan: versions are comparable only between plans
/// of one activation (two activations of a model overlap while the cluster heals a lost silo, and clocks of silos differ).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelExecutionPlan")]
public sealed record ModelExecutionPlan(
    [property: Id(0)] string ModelId,
    [property: Id(1)] long Version,
    [property: Id(2)] long DefinitionVersion,
    [property: Id(3)] string DisplayName,
    [property: Id(4)] string Provider,
    [property: Id(5)] ModelTask Task,
    [property: Id(6)] IReadOnlyList<ModelTask> Capabilities,
    [property: Id(7)] string InputSchema,
    [property: Id(8)] string OutputSchema,
    [property: Id(9)] string StoredConfig,
    [property: Id(10)] TimeSpan Timeout,
    [property: Id(11)] int MaxRetries,
    [property: Id(12)] bool Http2PriorKnowledge,
    [property: Id(13)] bool TargetsSetByAdmin,
    [property: Id(14)] string TextField,
    [property: Id(15)] ModelRefusal? Unservable,
    [property: Id(16)] ModelRefusal? Admission,
    [property: Id(17)] bool Trial = false,
    [property: Id(18)] Hosted.HostedPlan? Hosted = null,
    [property: Id(19)] long Issuer = 0)
{
    /// <summary>
    /// The plan for a model that does not exist (any more). <paramref name="version"/> is the grain's next, so an
    /// executor that followed the model's plans follows this one too.
    /// </summary>
    public static ModelExecutionPlan NotFound(string modelId, long version, long issuer) => new(modelId, version, 0, modelId, "", ModelTask.Predict, [], "{}", "{}", "{}",
        TimeSpan.Zero, 0, false, false, "text", new ModelRefusal(PredictionOutcome.NotFound, $"Model {modelId} not found."), null, Issuer: issuer);
}
