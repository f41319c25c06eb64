using System.Text.Json;

namespace Mcp.Cluster.Client;

/// <summary>A model's definition as <c>GET /api/models/{model}</c> shows it (secrets in its config masked).</summary>
public sealed record ModelInfo(
    string ModelId,
    string Name,
    string Version,
    string? Description,
    string ModelType,
    string? Provider,
    string Task,
    IReadOnlyList<string> Capabilities,
    bool Streaming,
    string Status,
    JsonElement InputSchema,
    JsonElement OutputSchema,
    IReadOnlyList<ModelDataSource> DataSources,
    JsonElement Config,
    IReadOnlyList<string> Aliases,
    string Owner,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Endpoint);
