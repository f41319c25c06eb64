using Mcp.Cluster.Models;
using Mcp.Cluster.Models.Hosted;

namespace Mcp.Cluster.Gateway.Models;

/// <summary>One input or output of a model file; <c>shape</c> has null where a dimension is dynamic (the batch first).</summary>
public sealed record TensorResponse(string Name, string Type, IReadOnlyList<long?> Shape)
{
    public static TensorResponse From(TensorSpec spec) =>
        new(spec.Name, spec.ElementType.ToString().ToLowerInvariant(), spec.Dimensions.Select(d => d < 0 ? (long?)null : d).ToArray());
}

/// <summary>The file a hosted model runs.</summary>
public sealed record ArtifactFileResponse(
    string Source, string Sha256, long Bytes, bool Vocabulary, DateTimeOffset AttachedAt,
    IReadOnlyList<TensorResponse> Inputs, IReadOnlyList<TensorResponse> Outputs)
{
    public static ArtifactFileResponse From(HostedArtifact artifact) => new(
        artifact.FromUpload ? "upload" : "model_path", artifact.Sha256, artifact.Bytes, artifact.HasVocabulary, artifact.AttachedAt,
        artifact.Signature.Inputs.Select(TensorResponse.From).ToArray(), artifact.Signature.Outputs.Select(TensorResponse.From).ToArray());
}

/// <summary>A loaded session: where, since when, how long it took to load and the memory it holds.</summary>
public sealed record SessionResponse(
    string Silo, string Device, DateTimeOffset LoadedAt, double LoadTimeMs, long MemoryBytes, long ReservedBytes,
    int BatchSize, long Runs, long Inputs, int LargestBatch)
{
    public static SessionResponse From(HostedSessionStatus s) => new(
        s.Silo.ToParsableString(), s.Device, s.LoadedAt, Math.Round(s.LoadMs, 1), s.MemoryBytes, s.ReservedBytes, s.BatchSize, s.Runs, s.Items, s.LargestBatch);
}

/// <summary>
/// A hosted model's part of its status: its file, what it needs (<c>requires_gpu</c>, <c>memory_bytes</c>), the silo
/// its session is placed on or why it is <c>unschedulable</c>, and the loaded session (null while not loaded).
/// </summary>
public sealed record HostingResponse(
    ArtifactFileResponse? Artifact, bool? RequiresGpu, long? MemoryBytes, string? PlacedOn, string? Unschedulable, SessionResponse? Session)
{
    public static HostingResponse From(ModelHostingReport report) => new(
        report.Artifact is { } artifact ? ArtifactFileResponse.From(artifact) : null,
        report.Requirement?.RequiresGpu, report.Requirement?.MemoryBytes, report.PlacedOn?.ToParsableString(), report.Unschedulable,
        report.Session is { } session ? SessionResponse.From(session) : null);
}

/// <summary>The answer to an upload: the model, the file it now runs and the model's status.</summary>
public sealed record ArtifactResponse(string ModelId, string Provider, string Status, ArtifactFileResponse Artifact)
{
    public static ArtifactResponse From(string modelId, ModelInfo model, HostedArtifact artifact, ModelStatusReport status) =>
        new(modelId, model.Provider, ModelNames.Of(status.Status), ArtifactFileResponse.From(artifact));
}
