namespace Mcp.Cluster.Models;

[GenerateSerializer, Alias("mcp.ModelState")]
public sealed class ModelState
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public string Version { get; set; } = "";
    [Id(2)] public string? Description { get; set; }
    [Id(3)] public ModelType ModelType { get; set; }
    [Id(4)] public string Provider { get; set; } = "";
    [Id(5)] public ModelTask Task { get; set; }
    /// <summary>The registered schema; null means the task's default (<see cref="TaskSchemas"/>).</summary>
    [Id(6)] public string? InputSchema { get; set; }
    [Id(7)] public string? OutputSchema { get; set; }
    [Id(8)] public List<ModelDataSource> DataSources { get; set; } = [];
    /// <summary>Config JSON with secrets encrypted (see <c>ModelSecretProtector</c>).</summary>
    [Id(9)] public string StoredConfig { get; set; } = "{}";
    [Id(10)] public string Owner { get; set; } = "";
    [Id(11)] public string CreatedBy { get; set; } = "";
    [Id(12)] public DateTimeOffset CreatedAt { get; set; }
    [Id(13)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(14)] public bool Maintenance { get; set; }
    [Id(15)] public ModelCounters Counters { get; set; } = new();
    [Id(16)] public string? LastError { get; set; }
    [Id(17)] public DateTimeOffset? LastErrorAt { get; set; }
    [Id(18)] public DateTimeOffset? LastHealthCheck { get; set; }
    [Id(19)] public bool? LastHealthCheckPassed { get; set; }
    /// <summary>
    /// Whether an admin key set the current targets (URLs and headers): its requests then use the trusted connection
    /// pool, otherwise the restricted one, which checks every address against the outbound policy. Recomputed
    /// whenever a target changes; false for records written before it existed.
    /// </summary>
    [Id(20)] public bool TargetsSetByAdmin { get; set; }
    /// <summary>The file a hosted model runs (uploaded, or named by <c>config.model_path</c>/<c>model_name</c>), or null.</summary>
    [Id(21)] public Hosted.HostedArtifact? Artifact { get; set; }
}
