namespace Mcp.Cluster.Models;

/// <summary>
/// The public description of a model. <see cref="Config"/> is JSON with every stored secret replaced by a mask;
/// environment references (<c>${NAME}</c>) are shown as written.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelInfo")]
public sealed record ModelInfo(
    [property: Id(0)] string ModelId,
    [property: Id(1)] string Name,
    [property: Id(2)] string Version,
    [property: Id(3)] string? Description,
    [property: Id(4)] ModelType ModelType,
    [property: Id(5)] string Provider,
    [property: Id(6)] ModelTask Task,
    [property: Id(7)] IReadOnlyList<ModelTask> Capabilities,
    [property: Id(8)] string InputSchema,
    [property: Id(9)] string OutputSchema,
    [property: Id(10)] IReadOnlyList<ModelDataSource> DataSources,
    [property: Id(11)] string Config,
    [property: Id(12)] string Owner,
    [property: Id(13)] string CreatedBy,
    [property: Id(14)] DateTimeOffset CreatedAt,
    [property: Id(15)] DateTimeOffset UpdatedAt,
    [property: Id(16)] ModelStatus Status,
    [property: Id(17)] bool Streaming);
