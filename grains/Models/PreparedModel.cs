using Mcp.Cluster.Models.Schemas;

namespace Mcp.Cluster.Models;

/// <summary>
/// A model definition as its grain holds it once read: what it can do, its compiled schemas, its call settings and
/// targets. <see cref="Deployed"/>: a backend is attached; <see cref="Unconfigured"/>: the setting it still needs.
/// <see cref="Onnx"/>: the settings of a model the cluster runs itself (null for other providers).
/// </summary>
public sealed record PreparedModel(
    ModelTask Task,
    IReadOnlySet<ModelTask> Capabilities,
    bool Streaming,
    ModelSchema Input,
    ModelSchema Output,
    TimeSpan Timeout,
    int MaxRetries,
    TimeSpan HealthCheckInterval,
    bool Http2PriorKnowledge,
    IReadOnlyDictionary<string, Uri> Targets,
    bool Deployed,
    string? Unconfigured,
    string TextField,
    ModelHosting? Hosting = null,
    Hosted.OnnxModelSettings? Onnx = null);
