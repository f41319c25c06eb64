using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.Models;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary>Body of <c>POST /api/datasources</c>. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegisterDataSourceRequest
{
    /// <summary>Lower-case letters, digits and '_', starting with a letter (e.g. <c>jobs_db</c>).</summary>
    [Required]
    public string? Name { get; init; }

    /// <summary><c>postgres</c> or <c>sqlite</c>.</summary>
    [Required]
    public string? Type { get; init; }

    public string? Description { get; init; }

    /// <summary>Connector settings; secrets (password, …) may be values (encrypted at rest, never returned) or <c>${ENV_VAR}</c> references.</summary>
    public JsonElement? Config { get; init; }

    /// <summary><c>none</c> (default: every non-admin key needs a grant) or <c>read</c>.</summary>
    public string? DefaultAccess { get; init; }

    /// <summary>Source-wide masks, <c>{"table.field": "hash" | "partial" | "redact"}</c>.</summary>
    public Dictionary<string, string>? Masks { get; init; }

    /// <summary>Per-key daily quotas for keys whose grant names none.</summary>
    public QuotasRequest? Quotas { get; init; }

    public int? CacheTtlSeconds { get; init; }

    /// <summary>Discover the schema again at this interval (and drop cached results when it changed).</summary>
    public int? RefreshIntervalSeconds { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record QuotasRequest
{
    public long? QueriesPerDay { get; init; }

    public long? RowsPerDay { get; init; }
}

/// <summary>Body of <c>PUT /api/datasources/{name}/grants/{subject}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record GrantRequest
{
    /// <summary>Tables the subject may read and how; omitted means every table, unrestricted.</summary>
    public Dictionary<string, TableGrantRequest>? Tables { get; init; }

    /// <summary>Allows read-only raw SQL (only without table restrictions).</summary>
    public bool? Sql { get; init; }

    public QuotasRequest? Quotas { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TableGrantRequest
{
    /// <summary>Visible fields; omitted means all.</summary>
    public string[]? Fields { get; init; }

    /// <summary>Filters added to every query of the subject, in the query API's filter shape.</summary>
    public JsonElement? RowFilters { get; init; }

    /// <summary><c>{"field": "hash" | "partial" | "redact" | "none"}</c>; <c>none</c> lifts a source-wide mask.</summary>
    public Dictionary<string, string>? Masks { get; init; }
}

/// <summary>
/// Body of <c>POST /api/data/query</c>: the structured query, or the user guide's shorthand
/// <c>{"source", "query": {field: value}}</c> / <c>{"source", "table", "filters": {field: value}}</c>, which is the same
/// query with equality filters.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DataQueryRequest
{
    [Required]
    public string? Source { get; init; }

    /// <summary>
    /// Omitted: the source's only table the key may read, else the only one with every field the query names.
    /// <c>SCHEMA.TABLE</c> also finds a table by the end of its path.
    /// </summary>
    public string? Table { get; init; }

    /// <summary>
    /// The guide's shorthand, <c>{"field": value}</c> for equality; on a date or datetime field a period
    /// <c>last_{n}{d|w|m|y}</c> (<c>last_6m</c>) means "within that period before now". Instead of <c>filters</c>.
    /// </summary>
    public JsonElement? Query { get; init; }

    public string[]? Fields { get; init; }

    /// <summary>
    /// <c>[{"field", "op", "value"}]</c> with op eq, ne, lt, lte, gt, gte, in, not_in, contains, starts_with, is_null;
    /// or the shorthand <c>{"field": value}</c> for equality (with periods such as <c>last_6m</c> on date fields).
    /// </summary>
    public JsonElement? Filters { get; init; }

    /// <summary><c>["field", "-field"]</c> or <c>[{"field", "direction": "asc" | "desc"}]</c>.</summary>
    public JsonElement? OrderBy { get; init; }

    public int? Limit { get; init; }

    public int? Offset { get; init; }

    /// <summary><c>[{"fn": "count" | "sum" | "avg" | "min" | "max", "field"?, "as"?}]</c>: the rows become groups.</summary>
    public JsonElement? Aggregates { get; init; }

    /// <summary><c>["field", …]</c>: one row per distinct combination, with the aggregates computed per group.</summary>
    public JsonElement? GroupBy { get; init; }

    /// <summary>Read on behalf of this model (id, name, name@version or name@alias); it must have declared the source.</summary>
    public string? Model { get; init; }
}

/// <summary>Body of <c>POST /api/data/sql</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DataSqlRequest
{
    /// <summary>Omitted: the only source the key may read that has a table the statement reads.</summary>
    public string? Source { get; init; }

    /// <summary>One read-only statement.</summary>
    [Required]
    public string? Sql { get; init; }

    public int? MaxRows { get; init; }

    public string? Model { get; init; }
}

public sealed record QuotasResponse(long? QueriesPerDay, long? RowsPerDay)
{
    public static QuotasResponse From(DataQuotas quotas) => new(quotas.QueriesPerDay, quotas.RowsPerDay);
}

public sealed record DataSourceResponse(
    string Name, string Type, string? Description, string Status, string DefaultAccess, IReadOnlyDictionary<string, string> Masks,
    QuotasResponse Quotas, double CacheTtlSeconds, double? RefreshIntervalSeconds, int TableCount, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, string CreatedBy, JsonElement? Config)
{
    /// <summary>The config (secrets masked) is shown to admins only.</summary>
    public static DataSourceResponse From(DataSourceInfo s, bool withConfig) => new(
        s.Name, s.Type, s.Description, ModelNames.Of(s.Status), ModelNames.Of(s.DefaultAccess),
        s.Masks.ToDictionary(m => m.Key, m => ModelNames.Of(m.Value)), QuotasResponse.From(s.DefaultQuotas), s.CacheTtl.TotalSeconds,
        s.RefreshInterval?.TotalSeconds, s.TableCount, s.CreatedAt, s.UpdatedAt, s.CreatedBy,
        withConfig ? JsonDocument.Parse(s.ConfigJson).RootElement.Clone() : null);
}

public sealed record DataSourceListResponse(IReadOnlyList<DataSourceResponse> DataSources, int Total, int Offset, int Limit);

public sealed record ColumnResponse(string Name, string Type, bool Nullable, string NativeType, string? Mask);

public sealed record TableResponse(string Name, IReadOnlyList<ColumnResponse> Columns);

public sealed record DataSourceSchemaResponse(string Name, DateTimeOffset? RefreshedAt, long Generation, IReadOnlyList<TableResponse> Tables)
{
    public static DataSourceSchemaResponse From(DataSourceSchema schema) => new(schema.Name, schema.RefreshedAt, schema.Generation,
        schema.Tables.Select(t => new TableResponse(t.Name, t.Columns.Select(c => new ColumnResponse(c.Name, ModelNames.Of(c.Type), c.Nullable,
            c.NativeType, schema.Masks.TryGetValue($"{t.Name}.{c.Name}", out var mask) ? ModelNames.Of(mask) : null)).ToArray())).ToArray());
}

public sealed record DataSourceStatusResponse(
    string Name, string Status, bool? Healthy, DateTimeOffset? LastCheckedAt, double? LastCheckMs, string? LastError,
    DateTimeOffset? SchemaRefreshedAt, int TableCount, long Generation, long Queries, long Denied, long Failed, long RowsReturned,
    long CacheHits, long CacheMisses, double? CacheHitRate)
{
    public static DataSourceStatusResponse From(DataSourceStatusReport r) => new(
        r.Name, ModelNames.Of(r.Status), r.Healthy, r.LastCheckedAt, r.LastCheckMs, r.LastError, r.SchemaRefreshedAt, r.TableCount,
        r.Generation, r.Queries, r.Denied, r.Failed, r.RowsReturned, r.CacheHits, r.CacheMisses,
        r.CacheHits + r.CacheMisses == 0 ? null : Math.Round((double)r.CacheHits / (r.CacheHits + r.CacheMisses), 4));
}

public sealed record TableGrantResponse(IReadOnlyList<string>? Fields, JsonElement RowFilters, IReadOnlyDictionary<string, string> Masks);

public sealed record GrantResponse(string Subject, IReadOnlyDictionary<string, TableGrantResponse>? Tables, bool Sql, QuotasResponse? Quotas,
    DateTimeOffset UpdatedAt, string UpdatedBy)
{
    public static GrantResponse From(DataGrantEntry entry) => new(entry.Subject,
        entry.Grant.Tables?.ToDictionary(t => t.Key, t => new TableGrantResponse(t.Value.Fields,
            DataRequestReader.FiltersToJson(t.Value.RowFilters), t.Value.Masks.ToDictionary(m => m.Key, m => ModelNames.Of(m.Value)))),
        entry.Grant.AllowSql, entry.Grant.Quotas is { } q ? QuotasResponse.From(q) : null, entry.UpdatedAt, entry.UpdatedBy);
}

public sealed record DataSourceUsageResponse(string Source, string KeyId, DateOnly Day, long QueriesToday, long RowsToday, long TotalQueries,
    long TotalRows, long Denied, QuotasResponse Quotas, long? QueriesRemaining, long? RowsRemaining)
{
    public static DataSourceUsageResponse From(DataSourceUsage u) => new(u.Source, u.KeyId, u.Day, u.QueriesToday, u.RowsToday,
        u.TotalQueries, u.TotalRows, u.Denied, QuotasResponse.From(u.Quotas),
        u.Quotas.QueriesPerDay is { } q ? Math.Max(0, q - u.QueriesToday) : null,
        u.Quotas.RowsPerDay is { } r ? Math.Max(0, r - u.RowsToday) : null);
}
