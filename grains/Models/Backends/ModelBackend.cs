namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// A provider type. Subclasses read their config in the constructor (throwing <see cref="ModelConfigException"/>)
/// and do no I/O there: the same constructor checks a config at registration, with placeholders for secrets.
/// declare <see cref="Capabilities"/>, and override the calls for those capabilities. Register one with
/// <c>services.AddModelBackend&lt;TBackend&gt;("name")</c>; the constructor takes a <see cref="ModelBackendContext"/>
/// plus any services it needs.
/// </summary>
public abstract class ModelBackend : IAsyncDisposable
{
    private HttpClient? _ownedHttp;
    public abstract IReadOnlySet<ModelTask> Capabilities { get; }

    /// <summary>The task a model serves through <c>/predict</c> when its config names none.</summary>
    public abstract ModelTask DefaultTask { get; }

    /// <summary>
    /// Why the model cannot be served until a setting is made (an operator credential it asks for is not configured),
    /// or null. Such a backend is never called: nothing is sent and no health check runs.
    /// </summary>
    public string? Unconfigured { get; protected init; }

    /// <summary>Whether <see cref="StreamAsync"/> yields tokens as they are produced.</summary>
    public virtual bool SupportsStreaming => false;

    /// <summary>Connects, warms up or loads; called once before the first request and health check.</summary>
    public virtual Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public abstract Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken);

    public virtual Task<TextGenerationResult> GenerateAsync(TextGenerationRequest request, CancellationToken cancellationToken) =>
        throw Unsupported(request.Prompt is null ? ModelTask.Chat : ModelTask.Completion);

    public virtual IAsyncEnumerable<TextGenerationChunk> StreamAsync(TextGenerationRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} does not stream.");

    public virtual Task<EmbeddingResult> EmbedAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken) =>
        throw Unsupported(ModelTask.Embedding);

    public virtual Task<IReadOnlyList<ClassificationResult>> ClassifyAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        throw Unsupported(ModelTask.Classification);

    public virtual Task<IReadOnlyList<SentimentResult>> AnalyzeSentimentAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        throw Unsupported(ModelTask.Sentiment);

    /// <summary>Free-form JSON in, JSON out (the <c>predict</c> capability).</summary>
    public virtual Task<System.Text.Json.Nodes.JsonNode?> PredictAsync(System.Text.Json.Nodes.JsonNode input, CancellationToken cancellationToken) =>
        throw Unsupported(ModelTask.Predict);

    /// <summary>Several free-form inputs; backends with a batch endpoint override this to make one call.</summary>
    public virtual async Task<IReadOnlyList<System.Text.Json.Nodes.JsonNode?>> PredictBatchAsync(
        IReadOnlyList<System.Text.Json.Nodes.JsonNode> inputs, CancellationToken cancellationToken)
    {
        var results = new System.Text.Json.Nodes.JsonNode?[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            results[i] = await PredictAsync(inputs[i], cancellationToken);
        }
        return results;
    }

    /// <summary>Shutdown: release connections and native resources. Overrides must call the base.</summary>
    public virtual ValueTask DisposeAsync()
    {
        _ownedHttp?.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>The registry gives each backend its client and disposes it with the backend.</summary>
    internal void OwnHttpClient(HttpClient http) => _ownedHttp = http;

    private NotSupportedException Unsupported(ModelTask task) =>
        new($"{GetType().Name} does not support '{task.ToString().ToLowerInvariant()}'.");
}
