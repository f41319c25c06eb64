namespace Mcp.Cluster.Client;

public sealed partial class McpClient
{
    /// <summary>
    /// Asks a question in plain language (<c>POST /api/data/ask</c>). Without <paramref name="source"/> the gateway picks
    /// the source (among those the key may read) it understands the question best for; with <paramref name="model"/> a
    /// registered chat model translates it. A question nothing could be made of is a <see cref="McpValidationException"/>
    /// with <c>Error</c> <c>question_not_understood</c>.
    /// </summary>
    public Task<DataAskResult> AskAsync(string question, string? source = null, string? model = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        return PostAsync("api/data/ask", new DataAskRequest(question, source, model, limit), McpJsonContext.Default.DataAskRequest, McpJsonContext.Default.DataAskResult, cancellationToken);
    }

    /// <summary>Runs a structured query (<c>POST /api/data/query</c>).</summary>
    public Task<DataQueryResult> QueryAsync(DataQueryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.Source, nameof(request) + "." + nameof(request.Source));
        return PostAsync("api/data/query", request, McpJsonContext.Default.DataQueryRequest, McpJsonContext.Default.DataQueryResult, cancellationToken);
    }

    /// <summary>
    /// The user guide's <c>query(source=…, query={…})</c>: equality on each field, a period such as <c>last_6m</c> on a
    /// date field; the table is the only one that has every field named.
    /// </summary>
    public Task<DataQueryResult> QueryAsync(string source, IReadOnlyDictionary<string, object?> query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return QueryAsync(new DataQueryRequest { Source = source, Query = query.ToDictionary(p => p.Key, p => JsonValues.From(p.Value)) }, cancellationToken);
    }

    /// <summary>The user guide's other form, <c>{source, table, filters: {field: value}}</c>: the same equalities on a named table.</summary>
    public Task<DataQueryResult> QueryAsync(string source, string table, IReadOnlyDictionary<string, object?> filters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentException.ThrowIfNullOrEmpty(table);
        return QueryAsync(new DataQueryRequest
        {
            Source = source,
            Table = table,
            Filters = filters.Select(p => QueryFilter.Eq(p.Key, p.Value)).ToArray(),
        }, cancellationToken);
    }

    /// <summary>
    /// Runs one read-only SQL statement (<c>POST /api/data/sql</c>; the key needs a grant with <c>sql</c> that hides
    /// nothing, or admin). Without <paramref name="source"/> the gateway finds the source that has the table it reads.
    /// </summary>
    public Task<DataQueryResult> ExecuteSqlAsync(string sql, string? source = null, int? maxRows = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        return PostAsync("api/data/sql", new DataSqlRequest(sql, source, maxRows, null), McpJsonContext.Default.DataSqlRequest, McpJsonContext.Default.DataQueryResult, cancellationToken);
    }

    /// <summary>The data sources the key may read (<c>GET /api/datasources</c>).</summary>
    public Task<DataSourceList> ListSourcesAsync(CancellationToken cancellationToken = default) =>
        GetAsync("api/datasources", McpJsonContext.Default.DataSourceList, cancellationToken);

    /// <summary>The tables and fields of <paramref name="source"/> that the key may read.</summary>
    public Task<DataSourceSchema> GetSchemaAsync(string source, CancellationToken cancellationToken = default) =>
        GetAsync($"api/datasources/{Segment(source, nameof(source))}/schema", McpJsonContext.Default.DataSourceSchema, cancellationToken);
}
