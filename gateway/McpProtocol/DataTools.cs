using System.Text;
using System.Text.Json;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.DataSources;
using Mcp.Cluster.Gateway.Hosting;
using Mcp.Cluster.Gateway.Security;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

using Mcp.Cluster.Gateway.Usage;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Data access as MCP tools: <c>data.sources</c> lists the sources (and their tables and fields) the key may read,
/// <c>data.query</c> runs a structured query under the key's grants, with the same masks, quotas and audit as
/// <c>POST /api/data/query</c>.
/// </summary>
public sealed class DataTools(IGrainFactory grains, DataResources resources, IHttpContextAccessor http)
{
    public const string SourcesTool = "data.sources";
    public const string QueryTool = "data.query";

    private static readonly JsonElement SourcesInput = JsonDocument.Parse("""{"type":"object","properties":{},"additionalProperties":false}""").RootElement;

    private static readonly JsonElement QueryInput = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "source": {"type": "string", "description": "Data source name (see data.sources)"},
            "table": {"type": "string", "description": "Omit for the source's only table (else the only one with every named field)"},
            "query": {"type": "object", "description": "Shorthand instead of filters: {field: value} equality; on date fields a period: last_<n> with d, w, m or y (\"last_6m\"), today, yesterday, this_week, this_month, this_year"},
            "fields": {"type": "array", "items": {"type": "string"}, "description": "Omit for every field the key may read. A field may be a member of an object field by path: salary_range.max"},
            "filters": {"anyOf": [
              {"type": "array", "items": {"type": "object", "properties": {
                "field": {"type": "string"},
                "op": {"type": "string", "enum": ["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains", "starts_with", "is_null"]},
                "value": {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"},
                  {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]}}],
                  "description": "A string, number or boolean (dates as ISO 8601 strings); a list of them for in and not_in; true or false for is_null"}},
                "required": ["field", "value"]}},
              {"type": "object", "description": "{field: value} equality, as query"}]},
            "order_by": {"type": "array", "items": {"type": "string"}, "description": "field, or -field for descending; with aggregates a group_by field or an aggregate's name"},
            "aggregates": {"type": "array", "maxItems": 8, "description": "Rows become groups: the group_by fields, then one column per aggregate (named by as, else count or <fn>_<field with dots as _>)",
              "items": {"type": "object", "properties": {
                "fn": {"type": "string", "enum": ["count", "sum", "avg", "min", "max"]},
                "field": {"type": "string", "description": "Omit for count of rows; count of a field counts its non-null values"},
                "as": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$"}},
                "required": ["fn"], "additionalProperties": false}},
            "group_by": {"type": "array", "maxItems": 4, "items": {"type": "string"}, "description": "One row per distinct value of these fields (limit and offset count groups)"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 1000},
            "offset": {"type": "integer", "minimum": 0}
          },
          "required": ["source"],
          "additionalProperties": false
        }
        """).RootElement;

    private static readonly JsonElement QueryOutput = JsonDocument.Parse("""
        {"type": "object", "properties": {"columns": {"type": "array"}, "rows": {"type": "array"}, "row_count": {"type": "integer"}, "cached": {"type": "boolean"}},
         "required": ["columns", "rows", "row_count"]}
        """).RootElement;

    public static bool Owns(string toolName) => toolName is SourcesTool or QueryTool;

    public IReadOnlyList<Tool> List() =>
    [
        new Tool { Name = SourcesTool, Title = "Data sources", Description = "The data sources, tables and fields this key may read, with their types and masks.", InputSchema = SourcesInput },
        new Tool
        {
            Name = QueryTool, Title = "Query a data source", InputSchema = QueryInput, OutputSchema = QueryOutput,
            Description = "Read rows of a table: fields, filters, order and paging. Governed by the key's grants (fields, rows, masks, quotas); every read is audited.",
        },
    ];

    public async Task<CallToolResult> CallAsync(ApiKeyPrincipal key, string toolName, IDictionary<string, JsonElement>? arguments)
    {
        var caller = DataSourceEndpoints.Caller(key);
        if (toolName == SourcesTool)
        {
            var visible = (await resources.ReadableSchemasAsync(key)).Select(DataSourceSchemaResponse.From).ToArray();
            return Structured(JsonSerializer.SerializeToElement(new { sources = visible }, GatewayJson.Options));
        }

        DataQueryRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<DataQueryRequest>(JsonSerializer.Serialize(arguments ?? new Dictionary<string, JsonElement>()), GatewayJson.Options);
        }
        catch (JsonException e)
        {
            return Failure($"Invalid arguments: {e.Message}");
        }
        if (request is null || string.IsNullOrWhiteSpace(request.Source) || !DataRequestReader.IsValidName(request.Source))
        {
            return Failure("'source' must name a data source (see data.sources).");
        }
        var (query, error) = DataRequestReader.ReadQuery(request);
        if (error is not null)
        {
            return Failure(error.Value!.Detail);
        }
        var result = await grains.GetGrain<IDataSourceExecutorGrain>(request.Source).QueryAsync(query!, caller);
        http.HttpContext?.Usage().RecordRead(request.Source, result, cacheable: true);
        if (result.Outcome != DataQueryOutcome.Ok)
        {
            return Failure($"{result.Outcome}: {result.Detail}");
        }
        var json = new StringBuilder("{\"columns\":");
        json.Append(JsonSerializer.Serialize(result.Columns!.Select(c => new
        {
            name = c.Name,
            type = Models.ModelNames.Of(c.Type),
            mask = result.MaskedFields?.TryGetValue(c.Name, out var m) == true ? Models.ModelNames.Of(m) : null,
        })));
        json.Append(",\"rows\":").Append(Encoding.UTF8.GetString(result.RowsJson!));
        json.Append(",\"row_count\":").Append(result.RowCount).Append(",\"cached\":").Append(result.Cached ? "true" : "false").Append('}');
        return Structured(JsonDocument.Parse(json.ToString()).RootElement.Clone());
    }

    private static CallToolResult Structured(JsonElement content) => new()
    {
        Content = [new TextContentBlock { Text = content.GetRawText() }],
        StructuredContent = content,
    };

    private static CallToolResult Failure(string detail) => new() { IsError = true, Content = [new TextContentBlock { Text = detail }] };
}
