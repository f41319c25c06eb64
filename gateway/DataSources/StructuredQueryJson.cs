using System.Text.Json;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.Models;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary>
/// A structured query written back in the shape <c>POST /api/data/query</c> takes, so what a question became (or an
/// example teaches) can be read, pasted into a query call and compared: table, fields, filters, order_by, limit,
/// aggregates, group_by.
/// </summary>
public static class StructuredQueryJson
{
    public static void Write(Utf8JsonWriter json, DataQuery query)
    {
        json.WriteStartObject();
        if (query.Table is not null)
        {
            json.WriteString("table", query.Table);
        }
        if (query.Fields is { Count: > 0 } fields)
        {
            json.WriteStartArray("fields");
            foreach (var field in fields)
            {
                json.WriteStringValue(field);
            }
            json.WriteEndArray();
        }
        json.WritePropertyName("filters");
        WriteFilters(json, query.Filters);
        if (query.Aggregates is { Count: > 0 } aggregates)
        {
            json.WriteStartArray("aggregates");
            foreach (var aggregate in aggregates)
            {
                json.WriteStartObject();
                json.WriteString("fn", ModelNames.Of(aggregate.Function));
                if (aggregate.Field is not null)
                {
                    json.WriteString("field", aggregate.Field);
                }
                if (aggregate.As is not null)
                {
                    json.WriteString("as", aggregate.As);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        if (query.GroupBy is { Count: > 0 } groups)
        {
            json.WriteStartArray("group_by");
            foreach (var group in groups)
            {
                json.WriteStringValue(group);
            }
            json.WriteEndArray();
        }
        if (query.OrderBy.Count > 0)
        {
            json.WriteStartArray("order_by");
            foreach (var order in query.OrderBy)
            {
                json.WriteStringValue(order.Descending ? "-" + order.Field : order.Field);
            }
            json.WriteEndArray();
        }
        if (query.Limit is { } limit)
        {
            json.WriteNumber("limit", limit);
        }
        if (query.Offset > 0)
        {
            json.WriteNumber("offset", query.Offset);
        }
        json.WriteEndObject();
    }

    /// <summary>Filters as <c>[{field, op, value}]</c>, each value as the caller sent it.</summary>
    public static void WriteFilters(Utf8JsonWriter json, IReadOnlyList<DataFilter> filters)
    {
        json.WriteStartArray();
        foreach (var filter in filters)
        {
            json.WriteStartObject();
            json.WriteString("field", filter.Field);
            json.WriteString("op", ModelNames.Of(filter.Operator));
            json.WritePropertyName("value");
            json.WriteRawValue(filter.ValueJson);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    public static JsonElement ToElement(DataQuery query)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, query);
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
