using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mcp.Cluster.Client;

/// <summary>
/// Filters are written as the list <c>[{field, op, value}]</c>; read as that list or as the shorthand
/// <c>{field: value}</c> (equalities), so any query the gateway reports reads back.
/// </summary>
internal sealed class QueryFiltersConverter : JsonConverter<IReadOnlyList<QueryFilter>>
{
    public override IReadOnlyList<QueryFilter>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        switch (root.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Object:
                return root.EnumerateObject().Select(p => new QueryFilter(p.Name, "eq", p.Value.Clone())).ToArray();
            case JsonValueKind.Array:
                return root.EnumerateArray().Select(ReadOne).ToArray();
            default:
                throw new JsonException("Filters must be a list of {field, op, value} or an object of field: value.");
        }
    }

    private static QueryFilter ReadOne(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object
            || !item.TryGetProperty("field", out var field) || field.ValueKind != JsonValueKind.String)
        {
            throw new JsonException("A filter needs a string 'field'.");
        }
        var op = item.TryGetProperty("op", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : "eq";
        var value = item.TryGetProperty("value", out var v) ? v.Clone() : default;
        return new QueryFilter(field.GetString()!, op, value);
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<QueryFilter> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var filter in value)
        {
            writer.WriteStartObject();
            writer.WriteString("field", filter.Field);
            writer.WriteString("op", filter.Op);
            writer.WritePropertyName("value");
            if (filter.Value.ValueKind == JsonValueKind.Undefined)
            {
                writer.WriteNullValue();
            }
            else
            {
                filter.Value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }
}
