using Mcp.Cluster.Models.Backends;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// <c>provider: "sentence_transformers"</c>: the seeds' Sentence Transformer backend (<c>model_name</c>, <c>device</c>,
/// <c>normalize_embeddings</c>) as a hosted ONNX model that embeds by default. <c>model_name</c> is a folder of the
/// models directory holding the exported model and its <c>vocab.txt</c>.
/// </summary>
public sealed class SentenceTransformerBackend(ModelBackendContext context, IGrainFactory grains, ModelArtifactPaths paths, IOptions<HostedModelOptions> options)
    : OnnxBackend(context, grains, paths, options)
{
    public override ModelTask DefaultTask => ModelTask.Embedding;
}
