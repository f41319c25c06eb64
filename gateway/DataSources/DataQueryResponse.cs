using System.Text.Json;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.Models;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary>
/// Writes a query answer: the envelope is written here and the rows, already JSON from the grain, are copied in as
/// they are, so a large result is never parsed and serialized again.
/// </summary>
public sealed class DataQueryResponse(string source, string? table, DataQueryResult result, int? limit, int offset, bool truncated,
    Action<Utf8JsonWriter>? extra = null) : IResult
{
    public async Task ExecuteAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter.AsStream());
        json.WriteStartObject();
        json.WriteString("source", source);
        if (table is not null)
        {
            json.WriteString("table", table);
        }
        json.WriteStartArray("columns");
        foreach (var column in result.Columns ?? [])
        {
            json.WriteStartObject();
            json.WriteString("name", column.Name);
            json.WriteString("type", ModelNames.Of(column.Type));
            if (result.MaskedFields?.TryGetValue(column.Name, out var mask) == true)
            {
                json.WriteString("mask", ModelNames.Of(mask));
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WritePropertyName("rows");
        json.WriteRawValue(result.RowsJson ?? "[]"u8.ToArray(), skipInputValidation: true);
        json.WriteNumber("row_count", result.RowCount);
        if (limit is { } l)
        {
            json.WriteNumber("limit", l);
            json.WriteNumber("offset", offset);
        }
        json.WriteBoolean("truncated", truncated);
        json.WriteBoolean("limited_by_quota", result.LimitedByQuota);
        json.WriteBoolean("cached", result.Cached);
        json.WriteNumber("elapsed_ms", Math.Round(result.ElapsedMs, 2));
        extra?.Invoke(json);
        json.WriteEndObject();
        await json.FlushAsync();
    }
}
