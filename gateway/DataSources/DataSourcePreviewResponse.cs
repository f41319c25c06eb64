using System.Text;
using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.Models;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary>
/// Writes a preview: the envelope here, each table's rows copied in as the executor wrote them (masks applied), like
/// <see cref="DataQueryResponse"/>, so the rows are byte for byte what the key's own query would carry.
/// </summary>
public sealed class DataSourcePreviewResponse(string source, ApiKeyInfo key, DataPreview preview, ApiKeyStatus keyStatus) : IResult
{
    /// <summary>The line is text for people (it is escaped again as a JSON string): no \u escapes for accents.</summary>
    private static readonly JsonSerializerOptions OneLine = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task ExecuteAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter.AsStream());
        json.WriteStartObject();
        json.WriteString("source", source);
        json.WriteString("key_id", key.KeyId);
        json.WriteString("owner", key.Owner);
        json.WriteString("key_status", ModelNames.Of(keyStatus));
        json.WriteBoolean("readable", preview.Readable);
        WriteOptional(json, "reason", preview.Reason);
        WriteOptional(json, "basis", preview.Basis);
        json.WriteStartArray("tables");
        foreach (var table in preview.Tables ?? [])
        {
            WriteTable(json, table);
        }
        json.WriteEndArray();
        json.WriteBoolean("truncated", preview.Truncated);
        json.WriteEndObject();
        await json.FlushAsync();
    }

    private static void WriteTable(Utf8JsonWriter json, DataPreviewTable table)
    {
        json.WriteStartObject();
        json.WriteString("table", table.Name);
        json.WriteBoolean("readable", table.Readable);
        json.WriteStartArray("columns");
        foreach (var column in table.Columns)
        {
            json.WriteStartObject();
            json.WriteString("name", column.Name);
            json.WriteString("type", ModelNames.Of(column.Type));
            json.WriteBoolean("visible", column.Visible);
            json.WriteBoolean("masked", column.Mask is not null);
            if (column.Mask is { } mask)
            {
                json.WriteString("mask", ModelNames.Of(mask));
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WritePropertyName("row_filters");
        StructuredQueryJson.WriteFilters(json, table.RowFilters);
        WriteOptional(json, "row_filter", Describe(table.RowFilters));
        json.WritePropertyName("rows");
        json.WriteRawValue(table.RowsJson ?? "[]"u8.ToArray(), skipInputValidation: true);
        json.WriteNumber("row_count", table.RowCount);
        json.WriteBoolean("cached", table.Cached);
        WriteOptional(json, "problem", table.Problem);
        json.WriteEndObject();
    }

    /// <summary>The grant's row filters in one line (<c>location eq "Austin, TX" AND job_id gt 10</c>); null when there are none.</summary>
    internal static string? Describe(IReadOnlyList<DataFilter> filters)
    {
        if (filters.Count == 0)
        {
            return null;
        }
        var text = new StringBuilder();
        foreach (var filter in filters)
        {
            if (text.Length > 0)
            {
                text.Append(" AND ");
            }
            text.Append(filter.Field).Append(' ').Append(ModelNames.Of(filter.Operator)).Append(' ').Append(Compact(filter.ValueJson));
        }
        return text.ToString();
    }

    /// <summary>A value as the grant's author wrote it may span lines; one line reads better.</summary>
    private static string Compact(string valueJson)
    {
        try
        {
            using var value = JsonDocument.Parse(valueJson);
            return JsonSerializer.Serialize(value.RootElement, OneLine);
        }
        catch (JsonException)
        {
            return valueJson;
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
