namespace Mcp.Cluster.Models.Backends.BuiltIn;

/// <summary>
/// Models computed in-process, so the local default can predict without any provider. <c>config.model</c> picks one;
/// today that is <c>sentiment</c> (English positive/negative/neutral), answering the user guide's
/// <c>{sentiment, confidence}</c> by default, or the generic classification shape with <c>task: classification</c>.
/// </summary>
public sealed class BuiltInBackend : ModelBackend
{
    private static readonly IReadOnlySet<ModelTask> Supported = new HashSet<ModelTask> { ModelTask.Sentiment, ModelTask.Classification };

    private readonly SentimentClassifier _sentiment;

    public BuiltInBackend(ModelBackendContext context, SentimentClassifier sentiment)
    {
        var model = context.Config.GetString("model") ?? "sentiment";
        if (model != "sentiment")
        {
            throw ModelConfig.Invalid("model", $"names an unknown built-in model '{model}'; available: sentiment");
        }
        _sentiment = sentiment;
    }

    public override IReadOnlySet<ModelTask> Capabilities => Supported;

    public override ModelTask DefaultTask => ModelTask.Sentiment;

    public override Task InitializeAsync(CancellationToken cancellationToken) => _sentiment.WarmUpAsync().WaitAsync(cancellationToken);

    public override Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_sentiment.IsReady ? BackendHealth.Ok : BackendHealth.Failed("The sentiment model is still training."));

    public override Task<IReadOnlyList<SentimentResult>> AnalyzeSentimentAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        _sentiment.AnalyzeAsync(texts);

    public override Task<IReadOnlyList<ClassificationResult>> ClassifyAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        _sentiment.ClassifyAsync(texts);
}
