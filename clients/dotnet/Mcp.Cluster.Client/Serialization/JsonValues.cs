using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcp.Cluster.Client;

/// <summary>
/// Plain .NET values (strings, numbers, booleans, dates, lists and string-keyed dictionaries of them) as JSON, without
/// reflection, so filter values and the guide's <c>{field: value}</c> dictionaries can be written naturally.
/// </summary>
public static class JsonValues
{
    public static JsonElement From(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, value, depth: 0);
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter writer, object? value, int depth)
    {
        if (depth > 32)
        {
            throw new ArgumentException("The value is nested too deeply (or refers to itself).");
        }
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case JsonElement element: element.WriteTo(writer); break;
            case JsonNode node: node.WriteTo(writer); break;
            case string text: writer.WriteStringValue(text); break;
            case bool flag: writer.WriteBooleanValue(flag); break;
            case int or long or short or sbyte or byte or ushort or uint:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case ulong big: writer.WriteNumberValue(big); break;
            case decimal money: writer.WriteNumberValue(money); break;
            case double or float:
                var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (!double.IsFinite(number))
                {
                    throw new ArgumentException("JSON has no NaN or infinity.");
                }
                writer.WriteNumberValue(number); break;
            case DateTimeOffset moment: writer.WriteStringValue(moment); break;
            case DateTime time: writer.WriteStringValue(time); break;
            case DateOnly day: writer.WriteStringValue(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            case Guid id: writer.WriteStringValue(id); break;
            case Enum member: writer.WriteStringValue(member.ToString()); break;
            case IDictionary dictionary:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(entry.Key as string ?? throw new ArgumentException("Dictionary keys must be strings."));
                    Write(writer, entry.Value, depth + 1);
                }
                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    Write(writer, item, depth + 1);
                }
                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"A {value.GetType().Name} cannot be sent as a JSON value; pass a JsonElement.");
        }
    }
}
