using System.Text.Json.Nodes;
using Mcp.Cluster.Models.Backends;
using Mcp.Cluster.Models.Hosted.Runtime;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// <c>provider: "onnx"</c>: a model file the cluster runs itself. This side runs in the executor of the silo a call
/// reaches: it turns JSON into tensors (tokenizing text) and back, and sends the tensors to the model's
/// <see cref="IHostedModelGrain"/>, which runs them on the silo placed for it (the executor names that silo for the
/// call). The session spec comes with the model's plan; a backend built only to check a config has none.
/// </summary>
public class OnnxBackend : ModelBackend
{
    private static readonly HashSet<ModelTask> Tasks = [ModelTask.Predict, ModelTask.Embedding, ModelTask.Classification];

    private readonly ModelBackendContext _context;
    private readonly IGrainFactory _grains;
    private readonly ModelArtifactPaths _paths;
    private readonly HostedModelOptions _options;
    private readonly OnnxModelSettings _settings;
    private OnnxInputMapper? _inputs;
    private OnnxOutputMapper? _outputs;

    public OnnxBackend(ModelBackendContext context, IGrainFactory grains, ModelArtifactPaths paths, IOptions<HostedModelOptions> options)
    {
        _context = context;
        _grains = grains;
        _paths = paths;
        _options = options.Value;
        _settings = OnnxModelSettings.Read(context.Config);
        if (_settings.NamedFile is { } named)
        {
            paths.Confine(named.Field, named.Name);
        }
    }

    public override IReadOnlySet<ModelTask> Capabilities => Tasks;

    public override ModelTask DefaultTask => ModelTask.Predict;

    private HostedSessionSpec Spec => _context.Hosted
        ?? throw new ModelBackendException("No model file is attached: upload one with PUT /api/models/{model_id}/artifact, or set config.model_path.");

    public override Task InitializeAsync(CancellationToken cancellationToken)
    {
        var spec = Spec;
        var signature = spec.Artifact.Signature;
        TextEncoder? text = null;
        if (HostedSessionPlanner.IsTextModel(signature))
        {
            var (_, vocabulary) = ModelArtifactInspector.Files(_paths.Resolve(spec.Artifact));
            text = TextEncoder.Load(vocabulary ?? throw new ModelBackendException("The text model's vocab.txt is missing."), _settings.Lowercase);
        }
        _inputs = new OnnxInputMapper(signature, text, _settings.MaxLength ?? _options.DefaultMaxLength, _options.MaxInputElements);
        _outputs = new OnnxOutputMapper(signature, _settings.Labels, spec.Pooling?.Output ?? _settings.Output);
        return Task.CompletedTask;
    }

    /// <summary>The file is still where it was attached, with its size: the session itself loads on the first call.</summary>
    public override Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var spec = Spec;
        try
        {
            var (model, vocabulary) = ModelArtifactInspector.Files(_paths.Resolve(spec.Artifact));
            var bytes = new FileInfo(model).Length + (vocabulary is null ? 0 : new FileInfo(vocabulary).Length);
            return Task.FromResult(bytes == spec.Artifact.Bytes
                ? BackendHealth.Ok
                : BackendHealth.Failed($"The model file changed on disk since it was attached ({bytes} bytes, attached with {spec.Artifact.Bytes}); attach it again."));
        }
        catch (Exception e) when (e is ModelArtifactException or IOException or UnauthorizedAccessException)
        {
            return Task.FromResult(BackendHealth.Failed($"The model file cannot be read: {e.Message}"));
        }
    }

    public override async Task<JsonNode?> PredictAsync(JsonNode input, CancellationToken cancellationToken) =>
        (await PredictBatchAsync([input], cancellationToken))[0];

    public override async Task<IReadOnlyList<JsonNode?>> PredictBatchAsync(IReadOnlyList<JsonNode> inputs, CancellationToken cancellationToken)
    {
        var mapper = Mapper;
        var items = new TensorItem[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            items[i] = mapper.Map(inputs[i], inputs.Count == 1 ? null : i);
        }
        var outputs = await RunAsync(items, cancellationToken);
        var results = new JsonNode?[outputs.Length];
        for (var i = 0; i < outputs.Length; i++)
        {
            results[i] = Outputs.ToPrediction(outputs[i]);
        }
        return results;
    }

    public override async Task<EmbeddingResult> EmbedAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        var (items, tokens) = Encode(inputs);
        var outputs = await RunAsync(items, cancellationToken);
        var vectors = new float[outputs.Length][];
        for (var i = 0; i < outputs.Length; i++)
        {
            vectors[i] = Outputs.ToEmbedding(outputs[i]);
        }
        return new EmbeddingResult(vectors, new TokenUsage(tokens, 0));
    }

    public override async Task<IReadOnlyList<ClassificationResult>> ClassifyAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var (items, _) = Encode(texts);
        var outputs = await RunAsync(items, cancellationToken);
        var results = new ClassificationResult[outputs.Length];
        for (var i = 0; i < outputs.Length; i++)
        {
            results[i] = Outputs.ToClassification(outputs[i]);
        }
        return results;
    }

    private OnnxInputMapper Mapper => _inputs ?? throw new InvalidOperationException("The backend was not initialized.");

    private OnnxOutputMapper Outputs => _outputs ?? throw new InvalidOperationException("The backend was not initialized.");

    private (TensorItem[] Items, int Tokens) Encode(IReadOnlyList<string> texts)
    {
        var mapper = Mapper;
        var items = new TensorItem[texts.Count];
        var tokens = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            items[i] = mapper.MapText(texts[i], texts.Count == 1 ? null : i, out var count);
            tokens += count;
        }
        return (items, tokens);
    }

    private async Task<TensorItem[]> RunAsync(TensorItem[] items, CancellationToken cancellationToken)
    {
        var spec = Spec;
        TensorItem[] outputs;
        try
        {
            outputs = await _grains.GetGrain<IHostedModelGrain>(spec.SessionKey).RunAsync(spec, items, cancellationToken);
        }
        catch (HostedInputRejectedException e)
        {
            throw new PredictionInputException($"The model cannot run this input: {e.Message}", null) { Index = e.Index };
        }
        if (outputs.Length != items.Length)
        {
            throw new ModelBackendException($"The session returned {outputs.Length} outputs for {items.Length} inputs.");
        }
        return outputs;
    }
}
