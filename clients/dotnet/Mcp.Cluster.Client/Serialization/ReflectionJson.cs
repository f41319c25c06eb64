using System.Text.Json;

namespace Mcp.Cluster.Client;

/// <summary>
/// Options for the one place callers' own objects are serialized by reflection (prediction inputs): snake_case like
/// the rest of the wire. Read-only once used, like <see cref="JsonSerializerOptions.Default"/>.
/// </summary>
internal static class ReflectionJson
{
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
