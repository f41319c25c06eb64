namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// The model file a hosted model runs, as its grain stores it. <see cref="Location"/> is relative to the artifact
/// directory (<see cref="FromUpload"/>) or to the models directory (a <c>model_path</c>/<c>model_name</c>), so silos with
/// different mount points read the same file. It names a directory holding <c>model.onnx</c> and, for text models,
/// <c>vocab.txt</c>, or the <c>.onnx</c> file itself. <see cref="Sha256"/> identifies the content: a new upload is a
/// new session.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.HostedArtifact")]
public sealed record HostedArtifact(
    [property: Id(0)] bool FromUpload,
    [property: Id(1)] string Location,
    [property: Id(2)] string Sha256,
    [property: Id(3)] long Bytes,
    [property: Id(4)] ModelSignature Signature,
    [property: Id(5)] bool HasVocabulary,
    [property: Id(6)] DateTimeOffset AttachedAt);
