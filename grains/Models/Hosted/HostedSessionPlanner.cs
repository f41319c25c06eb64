using System.Security.Cryptography;
using System.Text;

namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// Decides, for the model grain, whether a model file suits the model (its task, labels, output) and how its session
/// runs (<see cref="HostedSessionSpec"/>): pooling, batching, device and what it needs from a silo.
/// </summary>
public static class HostedSessionPlanner
{
    public const string TokenIdsInput = "input_ids";
    public const string MaskInput = "attention_mask";

    /// <summary>Memory a session is counted for when the model declares no <c>memory_requirement</c>: weights twice over and room for activations.</summary>
    public static long EstimatedMemory(long fileBytes) => fileBytes * 2 + (32L << 20);

    /// <summary>A model that reads text: the same test the input mapper tokenizes by, so the two never disagree.</summary>
    public static bool IsTextModel(ModelSignature signature) => OnnxInputMapper.IsTextSignature(signature);

    /// <summary>Why the file cannot serve this model, or null.</summary>
    public static string? Mismatch(HostedArtifact artifact, ModelTask task, OnnxModelSettings settings)
    {
        var signature = artifact.Signature;
        var text = IsTextModel(signature);
        if (settings.Output is { } output && signature.Outputs.All(o => o.Name != output))
        {
            return $"config.output names '{output}', which the model does not have (its outputs: {Names(signature.Outputs)}).";
        }
        if (text && !artifact.HasVocabulary)
        {
            return $"The model takes {TokenIdsInput} (it reads text) but no {ModelArtifactInspector.VocabularyFileName} came with it; " +
                $"upload a zip holding {ModelArtifactInspector.ModelFileName} and {ModelArtifactInspector.VocabularyFileName}, or put both in the model's folder.";
        }
        switch (task)
        {
            case ModelTask.Embedding:
                if (!text)
                {
                    return $"An embedding model must read text ({TokenIdsInput} input); this one takes {Names(signature.Inputs)}.";
                }
                return Pooling(signature, settings) is null
                    ? $"No output gives an embedding: expected a float output of [batch, tokens, dimensions] (mean-pooled) or [batch, dimensions]; the model has {Describe(signature.Outputs)}."
                    : null;
            case ModelTask.Classification:
                if (!text)
                {
                    return $"A text classifier must read text ({TokenIdsInput} input); for features use task \"predict\" with labels.";
                }
                if (settings.Labels is null)
                {
                    return "A text classifier needs config.labels: the class names, in the order of its output.";
                }
                return ScoresOutput(signature, settings) is not { } scores
                    ? $"No output gives class scores: expected a float output of [batch, classes]; the model has {Describe(signature.Outputs)}."
                    : LabelMismatch(scores, settings);
            case ModelTask.Predict:
                if (settings.Labels is not null)
                {
                    return ScoresOutput(signature, settings) is not { } scored
                        ? $"config.labels needs a float output of [batch, classes]; the model has {Describe(signature.Outputs)}."
                        : LabelMismatch(scored, settings);
                }
                return null;
            default:
                return $"A hosted model serves predict, embedding or classification, not {task.ToString().ToLowerInvariant()}.";
        }
    }

    /// <summary>What the file can do for callers: predict always; embed and classify text when its outputs allow.</summary>
    public static IReadOnlySet<ModelTask> Capabilities(ModelSignature signature, OnnxModelSettings settings)
    {
        var tasks = new HashSet<ModelTask> { ModelTask.Predict };
        if (IsTextModel(signature))
        {
            if (Pooling(signature, settings) is not null)
            {
                tasks.Add(ModelTask.Embedding);
            }
            if (ScoresOutput(signature, settings) is not null)
            {
                tasks.Add(ModelTask.Classification);
            }
        }
        return tasks;
    }

    public static HostedSessionSpec Spec(string modelId, HostedArtifact artifact, ModelTask task, OnnxModelSettings settings,
        ModelHosting hosting, HostedModelOptions options)
    {
        var requirement = new HostingRequirement(hosting.RequiresGpu || settings.OnGpu, hosting.MemoryBytes ?? EstimatedMemory(artifact.Bytes));
        var pooling = task == ModelTask.Embedding ? Pooling(artifact.Signature, settings) : null;
        var batchSize = hosting.BatchSize ?? 1;
        var wait = settings.BatchWait ?? options.BatchWait;
        var identity = $"{artifact.Sha256}|{settings.Device}|{batchSize}|{wait.Ticks}|{pooling}|{requirement}";
        var key = $"{modelId}/{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16]}";
        return new HostedSessionSpec(modelId, key, artifact, settings.Device, batchSize, wait, requirement, pooling);
    }

    private static OutputPooling? Pooling(ModelSignature signature, OnnxModelSettings settings)
    {
        var hasMask = signature.Inputs.Any(i => i.Name == MaskInput);
        var floats = signature.Outputs.Where(o => o.ElementType is TensorElementType.Float or TensorElementType.Double
            && (settings.Output is null || o.Name == settings.Output)).ToArray();
        // A pooled sentence output when the model has one, else token states averaged over the mask.
        if (floats.FirstOrDefault(o => o.Dimensions.Length == 2) is { } pooled)
        {
            return new OutputPooling(pooled.Name, null, settings.NormalizeEmbeddings);
        }
        if (settings.MeanPooling && hasMask && floats.FirstOrDefault(o => o.Dimensions.Length == 3) is { } tokens)
        {
            return new OutputPooling(tokens.Name, MaskInput, settings.NormalizeEmbeddings);
        }
        return null;
    }

    private static TensorSpec? ScoresOutput(ModelSignature signature, OnnxModelSettings settings) =>
        signature.Outputs.FirstOrDefault(o => o.ElementType is TensorElementType.Float or TensorElementType.Double
            && o.Dimensions.Length == 2 && (settings.Output is null || o.Name == settings.Output));

    private static string? LabelMismatch(TensorSpec scores, OnnxModelSettings settings) =>
        settings.Labels is { } labels && scores.Dimensions[1] > 0 && scores.Dimensions[1] != labels.Count
            ? $"config.labels lists {labels.Count} classes but output '{scores.Name}' gives {scores.Dimensions[1]} scores."
            : null;

    private static string Names(IEnumerable<TensorSpec> specs) => string.Join(", ", specs.Select(s => $"'{s.Name}'"));

    private static string Describe(IEnumerable<TensorSpec> specs) =>
        string.Join(", ", specs.Select(s => $"'{s.Name}' {s.ElementType.ToString().ToLowerInvariant()}[{string.Join(", ", s.Dimensions.Select(d => d < 0 ? "?" : d.ToString()))}]"));
}
