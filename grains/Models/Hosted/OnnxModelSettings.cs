using System.Text.RegularExpressions;
using Mcp.Cluster.Models.Backends;

namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// The config of a model the cluster runs itself, read once for the backend and the model grain alike: where its
/// file is (<c>model_path</c>, or <c>model_name</c>: a folder of the models directory, as a Sentence Transformers model
/// is named), the <c>device</c>, text settings (<c>max_length</c>, <c>lowercase</c>), embedding settings
/// (<c>normalize_embeddings</c>, <c>pooling</c>), class <c>labels</c>, <c>output</c> (which output answers) and
/// <c>batch_wait_ms</c>. <c>batch_size</c>, <c>requires_gpu</c> and <c>memory_requirement</c> are
/// <see cref="ModelHosting"/>'s.
/// </summary>
public sealed partial record OnnxModelSettings(
    string? ModelPath,
    string? ModelName,
    string Device,
    int? MaxLength,
    bool Lowercase,
    bool NormalizeEmbeddings,
    bool MeanPooling,
    IReadOnlyList<string>? Labels,
    string? Output,
    TimeSpan? BatchWait)
{
    public const int MaxLabels = 10_000;

    public static OnnxModelSettings Read(ModelConfig config)
    {
        var modelPath = config.GetString("model_path");
        var modelName = config.GetString("model_name");
        if (modelPath is not null && modelName is not null)
        {
            throw ModelConfig.Invalid("model_name", "cannot be given with model_path; name the model's folder with one of them");
        }
        var device = (config.GetString("device") ?? "cpu").Trim().ToLowerInvariant();
        if (!DevicePattern().IsMatch(device))
        {
            throw ModelConfig.Invalid("device", "must be \"cpu\", \"cuda\" or \"cuda:N\" (N the GPU's index)");
        }
        var pooling = (config.GetString("pooling") ?? "mean").Trim().ToLowerInvariant();
        if (pooling is not ("mean" or "none"))
        {
            throw ModelConfig.Invalid("pooling", "must be \"mean\" (token states averaged over the attention mask) or \"none\" (the output is already one vector per input)");
        }
        var labels = config.GetStringList("labels");
        if (labels is { Count: 0 or > MaxLabels })
        {
            throw ModelConfig.Invalid("labels", $"must list 1 to {MaxLabels} class names, in the order of the model's output");
        }
        var wait = config.GetDouble("batch_wait_ms", 0, 1000) is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
        return new OnnxModelSettings(modelPath, modelName, device == "cuda" ? "cuda:0" : device,
            config.GetInt("max_length", 2, 65_536), config.GetBool("lowercase") ?? true,
            config.GetBool("normalize_embeddings") ?? false, pooling == "mean", labels,
            config.GetString("output"), wait);
    }

    /// <summary>The field naming the file, and its value, when the config names one.</summary>
    public (string Field, string Name)? NamedFile =>
        ModelPath is not null ? ("model_path", ModelPath) : ModelName is not null ? ("model_name", ModelName) : null;

    public bool OnGpu => Device.StartsWith("cuda", StringComparison.Ordinal);

    [GeneratedRegex(@"^(cpu|cuda(:\d{1,2})?)$")]
    private static partial Regex DevicePattern();
}
