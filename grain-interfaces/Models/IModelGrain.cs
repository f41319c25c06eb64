using Orleans.Concurrency;

namespace Mcp.Cluster.Models;

/// <summary>
/// One registered model, keyed by its id (<c>mod_…</c>): its definition, encrypted secrets, backend, health loop,
/// circuit breaker and request counters.
/// </summary>
[Alias("mcp.model")]
public interface IModelGrain : IGrainWithStringKey
{
    [Alias("register")]
    Task<ModelCommandResult> RegisterAsync(ModelDefinition definition, ModelCaller caller);

    [ReadOnly, AlwaysInterleave, Alias("get")]
    Task<ModelInfo?> GetAsync();

    [Alias("update")]
    Task<ModelCommandResult> UpdateAsync(ModelPatch patch, ModelCaller caller);

    [Alias("delete")]
    Task<ModelCommandResult> DeleteAsync(ModelCaller caller);

    /// <summary>Runs a prediction on this silo's <see cref="IModelExecutorGrain"/> (the gateway calls the executor directly).</summary>
    // Interleaved: predictions are I/O-bound and independent; state they touch is only changed between awaits.
    [AlwaysInterleave, Alias("predict"), ResponseTimeout("00:06:00")]
    Task<PredictionResult> PredictAsync(string inputJson, CancellationToken cancellationToken = default);

    [AlwaysInterleave, Alias("predict-batch"), ResponseTimeout("00:06:00")]
    Task<PredictionResult> PredictBatchAsync(IReadOnlyList<string> inputsJson, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a completion an executor starts streaming (false when its id is already known); called before the
    /// executor's first chunk reaches the caller, so the completion can be read and cancelled from then on.
    /// </summary>
    [AlwaysInterleave, Alias("begin-completion")]
    Task<bool> BeginCompletionAsync(Completions.CompletionBegin begin);

    /// <summary>
    /// Records how a completion ended, with its text up to <c>Completions:MaxRetainedTextChars</c>; also when its
    /// begin never arrived (the record then starts here).
    /// </summary>
    [AlwaysInterleave, Alias("finish-completion")]
    Task FinishCompletionAsync(Completions.CompletionRecord record);

    /// <summary>
    /// Stops the running completion with this id (one of this model's executors streams), its provider call included, if
    /// <paramref name="owner"/> started it or <paramref name="isAdmin"/>.
    /// </summary>
    [AlwaysInterleave, Alias("cancel-completion")]
    Task<Completions.CancelCompletionOutcome> CancelCompletionAsync(string completionId, string owner, bool isAdmin);

    /// <summary>
    /// Stops a completion whose consumer is gone (its token lease expired: the gateway streaming it died), its
    /// provider call included. One-way: the key grain that notices must not wait on a model that may be gone too.
    /// </summary>
    [OneWay, AlwaysInterleave, Alias("abandon-completion")]
    Task AbandonCompletionAsync(string completionId);

    /// <summary>A completion this model is streaming or finished within <c>Completions:RecordRetention</c>.</summary>
    [ReadOnly, AlwaysInterleave, Alias("get-completion")]
    Task<Completions.CompletionRecord?> GetCompletionAsync(string completionId);

    /// <summary>Embeds texts with a model that has the embedding capability (whatever its <c>/predict</c> task).</summary>
    [AlwaysInterleave, Alias("embed"), ResponseTimeout("00:06:00")]
    Task<EmbeddingOutcome> EmbedAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken = default);

    [ReadOnly, AlwaysInterleave, Alias("status")]
    Task<ModelStatusReport?> GetStatusAsync();

    [ReadOnly, AlwaysInterleave, Alias("metrics")]
    Task<ModelMetricsReport?> GetMetricsAsync(int days);

    /// <summary>Runs a health check now instead of waiting for the loop.</summary>
    [Alias("check-health")]
    Task<ModelStatusReport?> CheckHealthAsync();

    /// <summary>
    /// The plan executors follow: the definition and the decision on traffic. Asked when an executor's lease runs
    /// out or a refusal's <see cref="ModelRefusal.Until"/> passes; asking after an open breaker's break takes the
    /// breaker's one trial call, which the returned plan grants.
    /// </summary>
    // Interleaved. It waits only on the placement ledger (hosted models) and builds the plan after that wait in one
    // synchronous step, so it cannot observe a half-done change.
    [AlwaysInterleave, Alias("plan")]
    Task<ModelExecutionPlan> GetPlanAsync();

    /// <summary>An executor's outcomes since its last report; the answer is the plan after counting them.</summary>
    [AlwaysInterleave, Alias("report")]
    Task<ModelExecutionPlan> ReportAsync(ModelOutcomeReport report);

    /// <summary>
    /// Attaches an uploaded model file (already stored at <paramref name="location"/> under the artifact directory, with
    /// content hash <paramref name="sha256"/>) to a hosted model, or to a model without a provider, which becomes an
    /// <c>onnx</c> model. The file is read before it is accepted; a file the model cannot run is refused.
    /// </summary>
    [Alias("attach-artifact"), ResponseTimeout("00:05:00")]
    Task<ModelCommandResult> AttachArtifactAsync(string location, string sha256, ModelCaller caller);

    /// <summary>Whether <paramref name="caller"/> may give this model a file (asked before an upload is stored).</summary>
    [ReadOnly, AlwaysInterleave, Alias("may-attach-artifact")]
    Task<ModelCommandResult> MayAttachArtifactAsync(ModelCaller caller);

    /// <summary>A host loaded (figures) or unloaded (null) this model's session <paramref name="sessionKey"/>.</summary>
    [OneWay, AlwaysInterleave, Alias("host-report")]
    Task HostReportAsync(string sessionKey, Hosted.HostedSessionStatus? status);

    /// <summary>Activates the grain so its health loop runs; used when a silo starts.</summary>
    [AlwaysInterleave, Alias("wake")]
    Task WakeAsync();
}
