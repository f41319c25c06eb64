using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.DataSources.Connectors.Snowflake;

/// <summary>
/// A Snowflake schema through the SQL API v2 (no driver). Config: <c>account</c>, <c>user</c>, <c>private_key</c>
/// (PEM, secret), <c>private_key_password</c> (secret, for an encrypted key), <c>database</c>, <c>schema</c> (default
/// PUBLIC), <c>warehouse</c>, <c>role</c>, <c>base_url</c> (default <c>https://{account}.snowflakecomputing.com</c>).
/// Tables and fields keep Snowflake's own names (usually upper case). Raw SQL is limited to statements that read
/// (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN); give the role only read privileges all the same.
/// </summary>
public sealed class SnowflakeConnector : DataConnector
{
    public const string TypeName = "snowflake";

    private static readonly string[] ReadingStatements = ["SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXPLAIN"];

    private readonly SnowflakeKeyPairToken _token;
    private readonly SnowflakeStatementClient _client;
    private readonly SnowflakeSession _session;
    private readonly TimeSpan _timeout;
    private readonly HttpClient _http;

    private readonly ResultCaps _caps;

    public SnowflakeConnector(ConnectorConfig config, HttpClient http, TimeSpan statementTimeout, TimeProvider time, ResultCaps caps)
    {
        _caps = caps;
        var account = config.String("account", required: true)!;
        var user = config.String("user", required: true)!;
        var privateKey = config.String("private_key", required: true)!;
        var password = config.String("private_key_password");
        _session = new SnowflakeSession(config.String("database", required: true)!, config.String("schema") ?? "PUBLIC",
            config.String("warehouse"), config.String("role"));
        var baseUrl = config.String("base_url") ?? $"https://{account.ToLowerInvariant()}.snowflakecomputing.com/";
        if (!Uri.TryCreate(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/", UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("https" or "http"))
        {
            throw new DataSourceConfigException("config.base_url", "config.base_url must be an http(s) URL.");
        }
        config.RefuseUnknown();
        _token = new SnowflakeKeyPairToken(account, user, privateKey, password, time);
        _http = http;
        _timeout = statementTimeout;
        _client = new SnowflakeStatementClient(http, baseUri, _token, _session, time);
    }

    public override bool SupportsSql => true;

    public override async Task<IReadOnlyList<TableSchema>> DiscoverAsync(CancellationToken cancellationToken)
    {
        var result = await _client.ExecuteAsync("""
            SELECT table_name, column_name, data_type, is_nullable, numeric_scale
            FROM information_schema.columns
            WHERE table_schema = ?
            ORDER BY table_name, ordinal_position
            """, new JsonObject { ["1"] = Binding("TEXT", _session.Schema) }, _timeout, int.MaxValue, cancellationToken);
        return result.Rows
            .GroupBy(r => r[0].GetString()!, StringComparer.Ordinal)
            .Select(table => new TableSchema(table.Key,
                table.Select(r => new ColumnSchema(r[1].GetString()!, Map(r[2].GetString()!, Fractional(r[4])), r[3].GetString() == "YES", r[2].GetString()!)).ToArray(),
                [_session.Database, _session.Schema, table.Key]))
            .ToArray();
    }

    private static bool Fractional(JsonElement scale) =>
        scale.ValueKind == JsonValueKind.String && scale.GetString() is { } text && text != "0";

    /// <summary>Maps information_schema data types (NUMBER, TEXT, …) and result row types (fixed, text, …) alike.</summary>
    private static DataType Map(string dataType, bool fractional) => dataType.ToUpperInvariant() switch
    {
        "NUMBER" or "DECIMAL" or "NUMERIC" or "FIXED" when fractional => DataType.Decimal,
        "FIXED" => DataType.Integer,
        "NUMBER" or "DECIMAL" or "NUMERIC" or "INT" or "INTEGER" or "BIGINT" or "SMALLINT" => DataType.Integer,
        "FLOAT" or "DOUBLE" or "REAL" => DataType.Decimal,
        "TEXT" or "TIME" => DataType.Text,
        "BOOLEAN" => DataType.Boolean,
        "DATE" => DataType.Date,
        "TIMESTAMP_NTZ" or "TIMESTAMP_LTZ" or "TIMESTAMP_TZ" => DataType.Datetime,
        "OBJECT" => DataType.Object,
        "ARRAY" => DataType.Array,
        "VARIANT" or "GEOGRAPHY" or "GEOMETRY" or "VECTOR" => DataType.Json,
        "BINARY" => DataType.Binary,
        _ => DataType.Text,
    };

    public override Task CheckHealthAsync(CancellationToken cancellationToken) =>
        _client.ExecuteAsync("SELECT 1", null, _timeout, 1, cancellationToken);

    public override (PreparedRead? Read, QueryProblem? Problem) Prepare(DataQuery query, TableSchema table, QueryLimits limits) =>
        CompiledRead.Compile(query, table, SqlDialect.Snowflake, limits);

    public override async Task<RowSet> ReadAsync(PreparedRead read, CancellationToken cancellationToken)
    {
        var compiled = ((CompiledRead)read).Compiled;
        var bindings = new JsonObject();
        foreach (var parameter in compiled.Parameters)
        {
            bindings[parameter.Name] = parameter.Value switch
            {
                long integer => Binding("FIXED", integer.ToString(CultureInfo.InvariantCulture)),
                decimal number => Binding("FIXED", number.ToString(CultureInfo.InvariantCulture)),
                bool flag => Binding("BOOLEAN", flag ? "true" : "false"),
                // Dates and timestamps go as ISO 8601 text, which Snowflake converts to the column's type when comparing.
                DateOnly date => Binding("TEXT", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                DateTimeOffset moment => Binding("TEXT", moment.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fffffff", CultureInfo.InvariantCulture)),
                var text => Binding("TEXT", Convert.ToString(text, CultureInfo.InvariantCulture)!),
            };
        }
        var result = await _client.ExecuteAsync(compiled.Sql, bindings, _timeout, compiled.Limit, cancellationToken);
        return ToRowSet(result, compiled.Columns);
    }

    public override async Task<RowSet> ExecuteReadOnlySqlAsync(string sql, int maxRows, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var first = SqlStatementGuard.FirstKeyword(sql);
        if (!ReadingStatements.Contains(first, StringComparer.OrdinalIgnoreCase))
        {
            throw new DataSourceQueryException($"Only statements that read run on Snowflake ({string.Join(", ", ReadingStatements)}); this one starts with '{first}'.");
        }
        var result = await _client.ExecuteAsync(sql, null, timeout, maxRows, cancellationToken);
        var columns = result.Columns.Select(c => new ColumnSchema(c.Name, Map(c.Type, c.Scale is > 0), c.Nullable, c.Type)).ToArray();
        return ToRowSet(result, columns);
    }

    private RowSet ToRowSet(SnowflakeResult result, IReadOnlyList<ColumnSchema> columns)
    {
        var rows = new List<object?[]>(result.Rows.Count);
        var budget = _caps.Start();
        foreach (var row in result.Rows)
        {
            var values = new object?[result.Columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = SnowflakeValueReader.Read(row[i], result.Columns[i]);
                budget.Add(columns[i].Name, values[i]);
            }
            rows.Add(values);
        }
        return new RowSet(columns, rows, result.Truncated);
    }

    private static JsonObject Binding(string type, string value) => new() { ["type"] = type, ["value"] = value };

    public override ValueTask DisposeAsync()
    {
        _http.Dispose();
        _token.Dispose();
        return ValueTask.CompletedTask;
    }
}
