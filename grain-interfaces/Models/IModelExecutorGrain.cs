using Orleans.Concurrency;

namespace Mcp.Cluster.Models;

/// <summary>
/// Runs one model's calls on the silo that receives them (a stateless worker keyed by model id): holds the backend
/// and the compiled schemas, parses each input once, and follows the plan its <see cref="IModelGrain"/> decides.
/// Inputs travel as the caller's UTF-8 JSON, unparsed.
/// </summary>
[Alias("mcp.model-executor")]
public interface IModelExecutorGrain : IGrainWithStringKey
{
    /// <summary>Validates the JSON input, runs the backend and validates its output.</summary>
    [Alias("predict"), ResponseTimeout("00:06:00")]
    Task<PredictionResult> PredictAsync(byte[] inputJson, CancellationToken cancellationToken = default);

    /// <summary>The whole batch body, <c>{"inputs": [...]}</c>, checked and run as one call.</summary>
    [Alias("predict-batch"), ResponseTimeout("00:06:00")]
    Task<PredictionResult> PredictBatchAsync(byte[] bodyJson, CancellationToken cancellationToken = default);

    [Alias("embed"), ResponseTimeout("00:06:00")]
    Task<EmbeddingOutcome> EmbedAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Generates text, streamed to the caller as the backend produces it (one chunk per backend delta, a final chunk
    /// with the finish reason and token counts); the tokens never pass through the model grain, which only hears of
    /// the completion's start and end. The model's timeout bounds the wait for each chunk, not the whole stream.
    /// Cancelling the enumeration cancels the provider call.
    /// </summary>
    [Alias("stream")]
    IAsyncEnumerable<CompletionChunk> StreamAsync(CompletionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Sends the outcomes not yet reported to the model grain now (status and metrics read after it see them).</summary>
    [Alias("flush")]
    Task FlushAsync();

    /// <summary>
    /// Drops the plan this executor follows, so its next call asks the model grain. Sent by the model grain when a
    /// decision changes (to its own silo's executor) and by the gateway after a PATCH or delete (to its silo's).
    /// </summary>
    [OneWay, Alias("forget-plan")]
    Task ForgetPlanAsync();

    /// <summary>The plan this executor follows now (tests and diagnostics).</summary>
    [Alias("plan")]
    Task<ModelExecutionPlan> GetPlanAsync();
}
