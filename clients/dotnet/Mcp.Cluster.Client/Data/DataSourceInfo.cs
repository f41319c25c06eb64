using System.Text.Json;

namespace Mcp.Cluster.Client;

/// <summary>A data source as <c>GET /api/datasources</c> shows it (its config, secrets masked, to admins only).</summary>
public sealed record DataSourceInfo(
    string Name,
    string Type,
    string? Description,
    string Status,
    string DefaultAccess,
    IReadOnlyDictionary<string, string>? Masks,
    DataQuotas? Quotas,
    double CacheTtlSeconds,
    double? RefreshIntervalSeconds,
    int TableCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? CreatedBy,
    JsonElement? Config);
