using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Mcp.Cluster.DataSources.Connectors;

namespace Mcp.Cluster.DataSources.Governance;

/// <summary>Writes rows as a UTF-8 JSON array of objects, masking as it goes, so masked values never leave the grain.</summary>
public static class RowJsonWriter
{
    public static byte[] Write(RowSet rows, IReadOnlyDictionary<string, MaskKind> masks, FieldMasker sourceMasker)
    {
        using var ownMasker = masks.Count == 0 ? null : sourceMasker.ForOneRead();
        var masker = ownMasker ?? sourceMasker;
        var masksByIndex = new MaskKind[rows.Columns.Count];
        var names = new JsonEncodedText[rows.Columns.Count];
        for (var i = 0; i < rows.Columns.Count; i++)
        {
            masksByIndex[i] = masks.GetValueOrDefault(rows.Columns[i].Name, MaskKind.None);
            names[i] = JsonEncodedText.Encode(rows.Columns[i].Name);
        }
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, rows.Rows.Count * 128));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var row in rows.Rows)
            {
                json.WriteStartObject();
                for (var i = 0; i < row.Length; i++)
                {
                    json.WritePropertyName(names[i]);
                    WriteValue(json, masksByIndex[i] == MaskKind.None ? row[i] : masker.Apply(masksByIndex[i], row[i]));
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            case long l:
                json.WriteNumberValue(l);
                break;
            case double d when double.IsFinite(d):
                json.WriteNumberValue(d);
                break;
            case double d:
                json.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                break;
            case decimal m:
                json.WriteNumberValue(m);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case DateOnly date:
                json.WriteStringValue(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                break;
            case DateTime moment:
                json.WriteStringValue(moment);
                break;
            case DateTimeOffset moment:
                json.WriteStringValue(moment);
                break;
            case byte[] bytes:
                json.WriteBase64StringValue(bytes);
                break;
            case RawJson raw:
                WriteRaw(json, raw.Json);
                break;
            default:
                json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static void WriteRaw(Utf8JsonWriter json, string text)
    {
        // A JSON-typed column can still hold text that is not JSON (SQLite does not check); keep it as a string then.
        try
        {
            using var document = JsonDocument.Parse(text);
            document.RootElement.WriteTo(json);
        }
        catch (JsonException)
        {
            json.WriteStringValue(text);
        }
    }
}
