using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mcp.Cluster.Client;

/// <summary>
/// Order is written as <c>["field", "-field"]</c>; read from that, a single string, or <c>[{field, direction}]</c>,
/// the other forms the gateway takes.
/// </summary>
internal sealed class OrderByConverter : JsonConverter<IReadOnlyList<string>>
{
    public override IReadOnlyList<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        return root.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => [root.GetString()!],
            JsonValueKind.Array => root.EnumerateArray().Select(ReadOne).ToArray(),
            _ => throw new JsonException("order_by must be a list of field names (\"-field\" descending)."),
        };
    }

    private static string ReadOne(JsonElement item)
    {
        if (item.ValueKind == JsonValueKind.String)
        {
            return item.GetString()!;
        }
        if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("field", out var field) && field.ValueKind == JsonValueKind.String)
        {
            var descending = item.TryGetProperty("direction", out var direction) && direction.ValueKind == JsonValueKind.String
                && string.Equals(direction.GetString(), "desc", StringComparison.OrdinalIgnoreCase);
            return (descending ? "-" : "") + field.GetString();
        }
        throw new JsonException("An order_by item is a field name or {field, direction}.");
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var field in value)
        {
            writer.WriteStringValue(field);
        }
        writer.WriteEndArray();
    }
}
