using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mcp.Cluster.Client;

/// <summary>
/// The body of <c>POST /api/data/query</c>, and the structured query an answer to a question reports it ran. Either
/// <see cref="Filters"/> (a list of conditions) or the user guide's shorthand <see cref="Query"/> (<c>{field: value}</c>,
/// equality, periods such as <c>last_6m</c> on date fields).
/// </summary>
public sealed record DataQueryRequest
{
    /// <summary>The data source (<c>jobs_db</c>); required when sent, absent in the query an answer reports.</summary>
    public string? Source { get; init; }

    /// <summary>Omitted: the source's only readable table, else the only one with every field the query names.</summary>
    public string? Table { get; init; }

    public IReadOnlyList<string>? Fields { get; init; }

    [JsonConverter(typeof(QueryFiltersConverter))]
    public IReadOnlyList<QueryFilter>? Filters { get; init; }

    /// <summary>The guide's shorthand, <c>{"field": value}</c>; instead of <see cref="Filters"/>.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Query { get; init; }

    /// <summary><c>["field", "-field"]</c> (a leading <c>-</c> sorts descending).</summary>
    [JsonConverter(typeof(OrderByConverter))]
    public IReadOnlyList<string>? OrderBy { get; init; }

    public int? Limit { get; init; }

    public int? Offset { get; init; }

    public IReadOnlyList<QueryAggregate>? Aggregates { get; init; }

    public IReadOnlyList<string>? GroupBy { get; init; }

    /// <summary>Read on behalf of this model (it must have declared the source).</summary>
    public string? Model { get; init; }
}
