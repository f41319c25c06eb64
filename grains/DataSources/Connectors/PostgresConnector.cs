using System.Data.Common;
using Mcp.Cluster.DataSources.Query;
using Npgsql;
using NpgsqlTypes;

namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>
/// A PostgreSQL database through Npgsql. Config: <c>host</c>, <c>port</c>, <c>database</c>, <c>username</c>,
/// <c>password</c> (secret), <c>ssl_mode</c>, <c>schemas</c> (default <c>["public"]</c>), <c>max_pool_size</c>. The
/// configured role must be one that can only read: structured queries are SELECTs by construction, and raw SQL is one
/// statement that starts like a read (<see cref="ReadingStatements"/>), run in a READ ONLY transaction with a statement,
/// lock and idle timeout and always rolled back, but functions with side effects outside the transaction (dblink,
/// server file access) are only kept out by the role's privileges.
/// </summary>
public sealed class PostgresConnector : SqlConnector
{
    public const string TypeName = "postgres";

    /// <summary>
    /// What raw SQL may start with. Everything else (COMMIT, SET, COPY, DO, CALL, LOCK, LISTEN, PREPARE …) either needs
    /// no rows back or could end the read-only transaction or change the pooled session, so it is refused before it runs.
    /// </summary>
    private static readonly string[] ReadingStatements = ["SELECT", "WITH", "VALUES", "TABLE", "EXPLAIN", "SHOW"];

    private readonly NpgsqlDataSource _dataSource;
    private readonly string[] _schemas;

    public PostgresConnector(ConnectorConfig config, TimeSpan statementTimeout, ResultCaps caps)
        : base(caps)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = config.String("host", required: true),
            Port = config.Int("port", 5432, 1, 65535),
            Database = config.String("database", required: true),
            Username = config.String("username", required: true),
            Password = config.String("password"),
            MaxPoolSize = config.Int("max_pool_size", 20, 1, 500),
            Timeout = config.Int("connect_timeout_seconds", 10, 1, 120),
            CommandTimeout = (int)Math.Ceiling(statementTimeout.TotalSeconds),
            ApplicationName = "mcp-cluster",
        };
        var ssl = config.String("ssl_mode");
        if (ssl is not null)
        {
            if (!Enum.TryParse<SslMode>(ssl.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var mode))
            {
                throw new DataSourceConfigException("config.ssl_mode", "config.ssl_mode must be disable, allow, prefer, require, verify-ca or verify-full.");
            }
            builder.SslMode = mode;
        }
        _schemas = [.. config.Strings("schemas", ["public"])];
        config.RefuseUnknown();
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    protected override SqlDialect Dialect => SqlDialect.Postgres;

    public override bool SupportsSql => true;

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override void Bind(DbCommand command, QueryParameter parameter)
    {
        var bound = new NpgsqlParameter { ParameterName = parameter.Name };
        switch (parameter.Value)
        {
            case string text:
                // Untyped, so the server reads it as the column's own type (uuid, enums, citext, …).
                bound.NpgsqlDbType = NpgsqlDbType.Unknown;
                bound.Value = text;
                break;
            case DateTimeOffset moment:
                bound.Value = moment.ToUniversalTime();
                break;
            default:
                bound.Value = parameter.Value;
                break;
        }
        command.Parameters.Add(bound);
    }

    protected override Exception Classify(Exception exception) => exception switch
    {
        // Class 22 is data exceptions (a value the column cannot take), 42 syntax and access rule violations,
        // class 25 invalid transaction states (25006 a write in a read-only transaction, 25001 an attempt to make it
        // read-write), 57014 a statement cancelled by its timeout.
        PostgresException { SqlState: "57014" } e => new TimeoutException("The statement ran into its timeout.", e),
        // What the server says when one Parse message holds several commands (see ExecuteReadOnlySqlAsync).
        PostgresException { SqlState: "42601" } e when e.MessageText.Contains("multiple commands", StringComparison.Ordinal) =>
            new MultipleStatementsException(MultipleStatementsException.Detail, e),
        PostgresException e when e.SqlState.StartsWith("22", StringComparison.Ordinal)
            || e.SqlState.StartsWith("42", StringComparison.Ordinal) || e.SqlState.StartsWith("25", StringComparison.Ordinal) =>
            new DataSourceQueryException($"PostgreSQL refused the statement: {e.MessageText}", e),
        _ => exception,
    };

    public override async Task<IReadOnlyList<TableSchema>> DiscoverAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var indexes = new Dictionary<(string Schema, string Table), List<IReadOnlyList<string>>>();
        await using (var list = connection.CreateCommand())
        {
            // Key columns only (not INCLUDE ones), leading first; an expression has no attribute and ends what an
            // index can serve by column. Partial and not yet valid indexes serve only some reads or none: left out.
            list.CommandText = """
                SELECT n.nspname, c.relname,
                       ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                             LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                             WHERE k.ord <= i.indnkeyatts ORDER BY k.ord)::text[]
                FROM pg_index i
                JOIN pg_class c ON c.oid = i.indrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_class ic ON ic.oid = i.indexrelid
                WHERE n.nspname = ANY(@schemas) AND i.indpred IS NULL AND i.indisvalid
                ORDER BY n.nspname, c.relname, ic.relname
                """;
            list.Parameters.AddWithValue("schemas", _schemas);
            await using var found = await list.ExecuteReaderAsync(cancellationToken);
            while (await found.ReadAsync(cancellationToken))
            {
                var leading = found.GetFieldValue<string?[]>(2).TakeWhile(c => c is not null).Select(c => c!).ToArray();
                var key = (found.GetString(0), found.GetString(1));
                if (!indexes.TryGetValue(key, out var known))
                {
                    indexes[key] = known = [];
                }
                if (leading.Length > 0 && !known.Any(k => k.SequenceEqual(leading)))
                {
                    known.Add(leading);
                }
            }
        }
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT c.table_schema, c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable = 'YES', t.table_type
            FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = ANY(@schemas) AND t.table_type IN ('BASE TABLE', 'VIEW')
            ORDER BY c.table_schema, c.table_name, c.ordinal_position
            """;
        command.Parameters.AddWithValue("schemas", _schemas);
        var tables = new List<TableSchema>();
        var columns = new List<ColumnSchema>();
        (string Schema, string Table)? current = null;
        var isView = false;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = (reader.GetString(0), reader.GetString(1));
            if (current != key)
            {
                Flush();
                current = key;
                isView = reader.GetString(6) == "VIEW";
            }
            var dataType = reader.GetString(3);
            columns.Add(new ColumnSchema(reader.GetString(2), Map(dataType, reader.GetString(4)), reader.GetBoolean(5),
                dataType == "USER-DEFINED" || dataType == "ARRAY" ? reader.GetString(4) : dataType));
        }
        Flush();
        return tables;

        void Flush()
        {
            if (current is { } table && columns.Count > 0)
            {
                // With one schema, tables go by their bare names; with several, by schema.table.
                var name = _schemas.Length == 1 ? table.Table : $"{table.Schema}.{table.Table}";
                // A view has no indexes of its own: no index information rather than "none".
                IReadOnlyList<IReadOnlyList<string>>? known = isView ? null : indexes.TryGetValue(table, out var found) ? found.ToArray() : [];
                tables.Add(new TableSchema(name, [.. columns], [table.Schema, table.Table], known));
            }
            columns.Clear();
        }
    }

    private static DataType Map(string dataType, string udtName) => dataType switch
    {
        "smallint" or "integer" or "bigint" => DataType.Integer,
        "numeric" or "real" or "double precision" or "money" => DataType.Decimal,
        "boolean" => DataType.Boolean,
        "date" => DataType.Date,
        "timestamp without time zone" or "timestamp with time zone" => DataType.Datetime,
        "json" or "jsonb" => DataType.Json,
        "ARRAY" => DataType.Array,
        "bytea" => DataType.Binary,
        "USER-DEFINED" when udtName is "citext" => DataType.Text,
        "USER-DEFINED" => DataType.Json,
        _ => DataType.Text,
    };

    public override async Task<RowSet> ExecuteReadOnlySqlAsync(string sql, int maxRows, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var first = SqlStatementGuard.FirstKeyword(sql);
        if (!ReadingStatements.Contains(first, StringComparer.OrdinalIgnoreCase))
        {
            throw new DataSourceQueryException(
                $"Only statements that read run as raw SQL on PostgreSQL ({string.Join(", ", ReadingStatements)}); this one starts with '{first}'.");
        }
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            // Never committed: disposing the transaction rolls it back, on every path out of this block.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var setup = connection.CreateCommand())
            {
                setup.Transaction = transaction;
                // SET LOCAL takes no parameters; the values are numbers we formatted ourselves. Every setting ends
                // with the transaction, so nothing stays on the pooled connection.
                var ms = (long)timeout.TotalMilliseconds;
                setup.CommandText = $"SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = {ms}; SET LOCAL lock_timeout = {ms}; "
                    + $"SET LOCAL idle_in_transaction_session_timeout = {ms + 5000}";
                await setup.ExecuteNonQueryAsync(cancellationToken);
            }
            RowSet rows;
            await using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = sql;
                // The server must be the only parser of the statement. With a positional parameter Npgsql neither
                // parses nor splits the text (its "raw mode") and sends it as one Parse message, which PostgreSQL
                // refuses when it holds more than one command; our own scan of quotes and comments cannot agree with
                // PostgreSQL's in every case (name'a\'; … or a$b$; …), and a second command could COMMIT the read-only
                // transaction. The parameter is typed so the server need not infer it, and unused by the statement.
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = 0 });
                command.CommandTimeout = (int)Math.Ceiling(timeout.TotalSeconds) + 5;
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                rows = await ReadAllAsync(reader, maxRows, cancellationToken);
            }
            await transaction.RollbackAsync(cancellationToken);
            return rows;
        }
        catch (Exception e) when (e is not (OperationCanceledException or ResultTooLargeException))
        {
            throw Classify(e);
        }
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
