namespace Mcp.Cluster.Models;

/// <summary>
/// What a caller registers. Schemas and config travel as JSON text; <see cref="Config"/> may hold secrets in plain
/// text here, which the model grain encrypts before anything is stored. <see cref="Name"/> and <see cref="Version"/> are
/// parsed value types (they convert to strings where the grain stores them).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelDefinition")]
public sealed record ModelDefinition(
    [property: Id(0)] ModelName Name,
    [property: Id(1)] ModelVersion Version,
    [property: Id(2)] string? Description,
    [property: Id(3)] ModelType ModelType,
    [property: Id(4)] string Provider,
    [property: Id(5)] string? InputSchema,
    [property: Id(6)] string? OutputSchema,
    [property: Id(7)] IReadOnlyList<ModelDataSource> DataSources,
    [property: Id(8)] string Config);
