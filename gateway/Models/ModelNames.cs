using System.Text.Json;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.Models;

/// <summary>The wire spelling of model enums (snake_case, as the JSON options write them).</summary>
public static class ModelNames
{
    public static string Of<TEnum>(TEnum value) where TEnum : struct, Enum =>
        JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static bool TryParse<TEnum>(string? text, out TEnum value) where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(Of(candidate), text, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }

    public static string PredictEndpoint(string modelId) => $"/api/models/{modelId}/predict";
}
