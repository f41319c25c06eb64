using System.Text.Json;
using System.Text.RegularExpressions;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary>
/// Shape checks of data-source bodies and their translation into grain contracts. Connector configs, schemas and
/// values are checked by the data source grain, which knows them.
/// </summary>
public static partial class DataRequestReader
{
    public const int MaxDescriptionLength = 2000;
    public const int MaxMasks = 500;
    public const int MaxCacheTtlSeconds = 24 * 3600;
    public const int MinRefreshIntervalSeconds = 10;

    private static readonly HashSet<string> PatchFields =
        ["description", "config", "default_access", "masks", "quotas", "cache_ttl_seconds", "refresh_interval_seconds", "disabled"];

    public static bool IsValidName([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? name) => name is not null && NamePattern().IsMatch(name);

    public static (string? Name, DataSourceDefinition? Definition, JsonHttpResult<ApiError>? Error) ReadRegistration(
        RegisterDataSourceRequest request, TimeSpan defaultCacheTtl)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            return Fail("Required field 'name' is missing", "name");
        }
        if (!IsValidName(request.Name))
        {
            return Fail("Field 'name' must be 1-63 lower-case letters, digits or '_', starting with a letter.", "name");
        }
        if (string.IsNullOrWhiteSpace(request.Type))
        {
            return Fail("Required field 'type' is missing", "type");
        }
        if (request.Description is { Length: > MaxDescriptionLength })
        {
            return Fail($"Field 'description' must be at most {MaxDescriptionLength} characters.", "description");
        }
        if (request.Config is not { ValueKind: JsonValueKind.Object } config)
        {
            return Fail("Required field 'config' must be an object.", "config");
        }
        var access = DataAccessDefault.None;
        if (request.DefaultAccess is { } accessText && !ModelNames.TryParse(accessText, out access))
        {
            return Fail("Field 'default_access' must be 'none' or 'read'.", "default_access");
        }
        var (masks, maskError) = ReadMasks(request.Masks, "masks", allowNone: false);
        if (maskError is not null)
        {
            return (null, null, maskError);
        }
        var (quotas, quotaError) = ReadQuotas(request.Quotas);
        if (quotaError is not null)
        {
            return (null, null, quotaError);
        }
        var (ttl, ttlError) = ReadCacheTtl(request.CacheTtlSeconds, defaultCacheTtl);
        if (ttlError is not null)
        {
            return (null, null, ttlError);
        }
        var (refresh, refreshError) = ReadRefresh(request.RefreshIntervalSeconds);
        if (refreshError is not null)
        {
            return (null, null, refreshError);
        }
        return (request.Name, new DataSourceDefinition(request.Type.Trim().ToLowerInvariant(), request.Description, config.GetRawText(), access,
            masks!, quotas ?? DataQuotas.Unlimited, ttl, refresh), null);

        static (string?, DataSourceDefinition?, JsonHttpResult<ApiError>?) Fail(string detail, string field) =>
            (null, null, ApiErrors.Validation(detail, field));
    }

    public static (DataSourcePatch? Patch, JsonHttpResult<ApiError>? Error) ReadPatch(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, ApiErrors.Validation("The body must be a JSON object."));
        }
        string? description = null;
        string? config = null;
        DataAccessDefault? access = null;
        IReadOnlyDictionary<string, MaskKind>? masks = null;
        DataQuotas? quotas = null;
        TimeSpan? ttl = null;
        var setRefresh = false;
        TimeSpan? refresh = null;
        bool? disabled = null;
        foreach (var property in body.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "name" or "type":
                    return (null, ApiErrors.Validation($"Field '{property.Name}' cannot be changed; register a new data source instead.", property.Name));
                case "description" when value.ValueKind == JsonValueKind.String && value.GetString()!.Length <= MaxDescriptionLength:
                    description = value.GetString();
                    break;
                case "config" when value.ValueKind == JsonValueKind.Object:
                    config = value.GetRawText();
                    break;
                case "default_access" when value.ValueKind == JsonValueKind.String && ModelNames.TryParse<DataAccessDefault>(value.GetString(), out var a):
                    access = a;
                    break;
                case "masks" when value.ValueKind == JsonValueKind.Object:
                {
                    if (value.EnumerateObject().Any(m => m.Value.ValueKind != JsonValueKind.String))
                    {
                        return (null, ApiErrors.Validation("Field 'masks' maps table.field to hash, partial or redact.", "masks"));
                    }
                    var (read, error) = ReadMasks(value.Deserialize<Dictionary<string, string>>(), "masks", allowNone: false);
                    if (error is not null)
                    {
                        return (null, error);
                    }
                    masks = read;
                    break;
                }
                case "quotas" when value.ValueKind == JsonValueKind.Object:
                {
                    QuotasRequest? request;
                    try
                    {
                        request = value.Deserialize<QuotasRequest>(Hosting.GatewayJson.Options);
                    }
                    catch (JsonException)
                    {
                        return (null, ApiErrors.Validation("Field 'quotas' takes queries_per_day and rows_per_day (integers or null).", "quotas"));
                    }
                    var (read, error) = ReadQuotas(request);
                    if (error is not null)
                    {
                        return (null, error);
                    }
                    quotas = read ?? DataQuotas.Unlimited;
                    break;
                }
                case "cache_ttl_seconds" when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var seconds):
                {
                    var (read, error) = ReadCacheTtl(seconds, TimeSpan.Zero);
                    if (error is not null)
                    {
                        return (null, error);
                    }
                    ttl = read;
                    break;
                }
                case "refresh_interval_seconds" when value.ValueKind is JsonValueKind.Null
                    || (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _)):
                {
                    var (read, error) = ReadRefresh(value.ValueKind == JsonValueKind.Null ? null : value.GetInt32());
                    if (error is not null)
                    {
                        return (null, error);
                    }
                    setRefresh = true;
                    refresh = read;
                    break;
                }
                case "disabled" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    disabled = value.GetBoolean();
                    break;
                default:
                    return (null, PatchFields.Contains(property.Name)
                        ? ApiErrors.Validation($"Field '{property.Name}' has the wrong type or value.", property.Name)
                        : ApiErrors.Validation($"Unknown field '{property.Name}'. Changeable fields: {string.Join(", ", PatchFields)}.", property.Name));
            }
        }
        return (new DataSourcePatch(description, config, access, masks, quotas, ttl, setRefresh, refresh, disabled), null);
    }

    public static (DataGrant? Grant, JsonHttpResult<ApiError>? Error) ReadGrant(GrantRequest request)
    {
        Dictionary<string, TableGrant>? tables = null;
        if (request.Tables is { } requested)
        {
            tables = new Dictionary<string, TableGrant>(StringComparer.Ordinal);
            foreach (var (name, table) in requested)
            {
                var where = $"tables.{name}";
                if (table.Fields is { } fields && (fields.Length == 0 || fields.Any(string.IsNullOrWhiteSpace) || fields.Distinct().Count() != fields.Length))
                {
                    return (null, ApiErrors.Validation($"'{where}.fields' must list distinct field names (omit it for all fields).", $"{where}.fields"));
                }
                var (filters, filterError) = ReadFilters(table.RowFilters, $"{where}.row_filters");
                if (filterError is not null)
                {
                    return (null, filterError);
                }
                var (masks, maskError) = ReadMasks(table.Masks, $"{where}.masks", allowNone: true);
                if (maskError is not null)
                {
                    return (null, maskError);
                }
                tables[name] = new TableGrant(table.Fields, filters!, masks!);
            }
        }
        var (quotas, quotaError) = ReadQuotas(request.Quotas);
        if (quotaError is not null)
        {
            return (null, quotaError);
        }
        return (new DataGrant(tables, request.Sql ?? false, quotas), null);
    }

    /// <summary>
    /// The structured query, or the guide's shorthand read into the same query: <c>query</c> is <c>filters</c> in its
    /// object form, so grants, masks, row filters, quotas, audit and the cache treat both alike.
    /// </summary>
    public static (DataQuery? Query, JsonHttpResult<ApiError>? Error) ReadQuery(DataQueryRequest request)
    {
        if (request.Table is { } named && string.IsNullOrWhiteSpace(named))
        {
            return (null, ApiErrors.Validation("Field 'table' must name a table (or be left out for the source's only one).", "table"));
        }
        if (request.Fields is { } fields && fields.Any(string.IsNullOrEmpty))
        {
            return (null, ApiErrors.Validation("Field 'fields' must list field names.", "fields"));
        }
        var shorthand = request.Query is { ValueKind: not JsonValueKind.Null };
        if (shorthand && request.Filters is { ValueKind: not JsonValueKind.Null })
        {
            return (null, ApiErrors.Validation("Use either 'query' (field: value) or 'filters', not both.", "query"));
        }
        if (shorthand && request.Query!.Value.ValueKind != JsonValueKind.Object)
        {
            return (null, ApiErrors.Validation("Field 'query' must be an object of field: value (equality; last_6m style periods on date fields).", "query"));
        }
        var (filters, filterError) = shorthand ? ReadFilters(request.Query, "query") : ReadFilters(request.Filters, "filters");
        if (filterError is not null)
        {
            return (null, filterError);
        }
        var (order, orderError) = ReadOrder(request.OrderBy);
        if (orderError is not null)
        {
            return (null, orderError);
        }
        var (aggregates, aggregateError) = ReadAggregates(request.Aggregates);
        if (aggregateError is not null)
        {
            return (null, aggregateError);
        }
        var (groupBy, groupError) = ReadGroupBy(request.GroupBy);
        if (groupError is not null)
        {
            return (null, groupError);
        }
        return (new DataQuery(request.Table, request.Fields, filters!, order!, request.Limit, request.Offset ?? 0, aggregates, groupBy), null);
    }

    /// <summary>
    /// <c>[{"fn", "field"?, "as"?}]</c>, shape only: which fields exist, may be aggregated and how columns may be named
    /// is the data source grain's to say. Null when left out.
    /// </summary>
    public static (IReadOnlyList<DataAggregate>? Aggregates, JsonHttpResult<ApiError>? Error) ReadAggregates(JsonElement? json)
    {
        if (json is null or { ValueKind: JsonValueKind.Null })
        {
            return (null, null);
        }
        if (json.Value.ValueKind != JsonValueKind.Array)
        {
            return (null, ApiErrors.Validation("'aggregates' must be a list of {fn, field, as}.", "aggregates"));
        }
        var aggregates = new List<DataAggregate>();
        var index = 0;
        foreach (var item in json.Value.EnumerateArray())
        {
            var at = $"aggregates[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                return (null, ApiErrors.Validation($"'{at}' must be an object with 'fn' and, except for a count of rows, 'field'.", at));
            }
            AggregateFunction? function = null;
            string? field = null;
            string? name = null;
            foreach (var property in item.EnumerateObject())
            {
                var value = property.Value;
                switch (property.Name)
                {
                    case "fn" when value.ValueKind == JsonValueKind.String && ModelNames.TryParse<AggregateFunction>(value.GetString(), out var fn):
                        function = fn;
                        break;
                    case "fn":
                        return (null, ApiErrors.Validation(
                            $"'{at}.fn' must be one of {string.Join(", ", Enum.GetValues<AggregateFunction>().Select(f => ModelNames.Of(f)))}.", $"{at}.fn"));
                    case "field" when value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text:
                        field = text;
                        break;
                    case "as" when value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text:
                        name = text;
                        break;
                    case "field" or "as":
                        return (null, ApiErrors.Validation($"'{at}.{property.Name}' must be a non-empty string.", $"{at}.{property.Name}"));
                    default:
                        return (null, ApiErrors.Validation($"Unknown field '{property.Name}' in '{at}'. Its fields: fn, field, as.", at));
                }
            }
            if (function is not { } known)
            {
                return (null, ApiErrors.Validation($"'{at}.fn' is required.", $"{at}.fn"));
            }
            aggregates.Add(new DataAggregate(known, field, name));
        }
        return (aggregates, null);
    }

    /// <summary><c>["field", …]</c>; null when left out.</summary>
    public static (IReadOnlyList<string>? GroupBy, JsonHttpResult<ApiError>? Error) ReadGroupBy(JsonElement? json)
    {
        if (json is null or { ValueKind: JsonValueKind.Null })
        {
            return (null, null);
        }
        if (json.Value.ValueKind != JsonValueKind.Array
            || json.Value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 }))
        {
            return (null, ApiErrors.Validation("'group_by' must be a list of field names.", "group_by"));
        }
        return (json.Value.EnumerateArray().Select(item => item.GetString()!).ToArray(), null);
    }

    /// <summary>Filters as a list of <c>{field, op, value}</c>, or the shorthand object <c>{field: value}</c> meaning equality.</summary>
    public static (IReadOnlyList<DataFilter>? Filters, JsonHttpResult<ApiError>? Error) ReadFilters(JsonElement? json, string where)
    {
        var filters = new List<DataFilter>();
        switch (json)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return (filters, null);
            case { ValueKind: JsonValueKind.Object } shorthand:
                foreach (var property in shorthand.EnumerateObject())
                {
                    filters.Add(new DataFilter(property.Name, FilterOperator.Eq, property.Value.GetRawText()));
                }
                return (filters, null);
            case { ValueKind: JsonValueKind.Array } list:
                var index = 0;
                foreach (var item in list.EnumerateArray())
                {
                    var at = $"{where}[{index++}]";
                    if (item.ValueKind != JsonValueKind.Object
                        || !item.TryGetProperty("field", out var field) || field.ValueKind != JsonValueKind.String || field.GetString() is not { Length: > 0 } name
                        || !item.TryGetProperty("value", out var value))
                    {
                        return (null, ApiErrors.Validation($"'{at}' must be an object with 'field', 'op' and 'value'.", at));
                    }
                    var op = FilterOperator.Eq;
                    if (item.TryGetProperty("op", out var opJson)
                        && (opJson.ValueKind != JsonValueKind.String || !ModelNames.TryParse(opJson.GetString(), out op)))
                    {
                        return (null, ApiErrors.Validation(
                            $"'{at}.op' must be one of {string.Join(", ", Enum.GetValues<FilterOperator>().Select(o => ModelNames.Of(o)))}.", $"{at}.op"));
                    }
                    foreach (var property in item.EnumerateObject())
                    {
                        if (property.Name is not ("field" or "op" or "value"))
                        {
                            return (null, ApiErrors.Validation($"Unknown field '{property.Name}' in '{at}'.", at));
                        }
                    }
                    filters.Add(new DataFilter(name, op, value.GetRawText()));
                }
                return (filters, null);
            default:
                return (null, ApiErrors.Validation($"'{where}' must be a list of {{field, op, value}} or an object of field: value.", where));
        }
    }

    public static JsonElement FiltersToJson(IReadOnlyList<DataFilter> filters)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            StructuredQueryJson.WriteFilters(json, filters);
        }
        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }

    private static (IReadOnlyList<DataOrder>? Order, JsonHttpResult<ApiError>? Error) ReadOrder(JsonElement? json)
    {
        var order = new List<DataOrder>();
        if (json is null or { ValueKind: JsonValueKind.Null })
        {
            return (order, null);
        }
        var items = json.Value.ValueKind == JsonValueKind.Array ? json.Value.EnumerateArray().ToArray() : [json.Value];
        foreach (var item in items)
        {
            switch (item.ValueKind)
            {
                case JsonValueKind.String when item.GetString() is { Length: > 0 } text:
                    order.Add(text.StartsWith('-') ? new DataOrder(text[1..], true) : new DataOrder(text, false));
                    break;
                case JsonValueKind.Object when item.TryGetProperty("field", out var field) && field.GetString() is { Length: > 0 } name:
                    var descending = false;
                    if (item.TryGetProperty("direction", out var direction))
                    {
                        if (direction.GetString() is not ("asc" or "desc"))
                        {
                            return (null, ApiErrors.Validation("'order_by[].direction' must be 'asc' or 'desc'.", "order_by"));
                        }
                        descending = direction.GetString() == "desc";
                    }
                    order.Add(new DataOrder(name, descending));
                    break;
                default:
                    return (null, ApiErrors.Validation("'order_by' must be field names ('-field' for descending) or {field, direction} objects.", "order_by"));
            }
        }
        return (order, null);
    }

    private static (IReadOnlyDictionary<string, MaskKind>? Masks, JsonHttpResult<ApiError>? Error) ReadMasks(
        Dictionary<string, string>? masks, string where, bool allowNone)
    {
        var read = new Dictionary<string, MaskKind>(StringComparer.Ordinal);
        if (masks is null)
        {
            return (read, null);
        }
        if (masks.Count > MaxMasks)
        {
            return (null, ApiErrors.Validation($"At most {MaxMasks} masks.", where));
        }
        foreach (var (field, kindText) in masks)
        {
            if (!ModelNames.TryParse<MaskKind>(kindText, out var kind) || (kind == MaskKind.None && !allowNone))
            {
                return (null, ApiErrors.Validation(
                    $"Mask of '{field}' must be hash, partial or redact{(allowNone ? " (or none to lift a source-wide mask)" : "")}.", where));
            }
            read[field] = kind;
        }
        return (read, null);
    }

    private static (DataQuotas? Quotas, JsonHttpResult<ApiError>? Error) ReadQuotas(QuotasRequest? quotas)
    {
        if (quotas is null)
        {
            return (null, null);
        }
        if (quotas.QueriesPerDay is < 1 || quotas.RowsPerDay is < 1)
        {
            return (null, ApiErrors.Validation("Quotas must be positive (omit one for no limit).", "quotas"));
        }
        return (new DataQuotas(quotas.QueriesPerDay, quotas.RowsPerDay), null);
    }

    private static (TimeSpan Ttl, JsonHttpResult<ApiError>? Error) ReadCacheTtl(int? seconds, TimeSpan fallback) => seconds switch
    {
        null => (fallback, null),
        < 0 or > MaxCacheTtlSeconds => (default, ApiErrors.Validation($"Field 'cache_ttl_seconds' must be between 0 (no caching) and {MaxCacheTtlSeconds}.", "cache_ttl_seconds")),
        _ => (TimeSpan.FromSeconds(seconds.Value), null),
    };

    private static (TimeSpan? Interval, JsonHttpResult<ApiError>? Error) ReadRefresh(int? seconds) => seconds switch
    {
        null => (null, null),
        < MinRefreshIntervalSeconds => (null, ApiErrors.Validation($"Field 'refresh_interval_seconds' must be at least {MinRefreshIntervalSeconds}.", "refresh_interval_seconds")),
        _ => (TimeSpan.FromSeconds(seconds.Value), null),
    };

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex NamePattern();
}
