using System.Data.Common;
using Mcp.Cluster.DataSources.Connectors.Sqlite;
using Mcp.Cluster.DataSources.Query;
using Microsoft.Data.Sqlite;

namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>
/// An SQLite database file, opened read-only. Config: <c>path</c> (relative paths are under the cluster's data
/// directory; the file must lie inside the SQLite directory, see <see cref="SqlitePathPolicy"/>). This is what the
/// local default's sample sources live in. Raw SQL runs on a connection of its own, never pooled, inside a
/// <see cref="SqliteSandbox"/>.
/// </summary>
public sealed class SqliteConnector : SqlConnector
{
    public const string TypeName = "sqlite";

    private readonly string _connectionString;
    private readonly string _sandboxConnectionString;
    private readonly string _configuredPath;
    private readonly SqlitePathPolicy _paths;

    public SqliteConnector(ConnectorConfig config, SqlitePathPolicy paths, TimeSpan statementTimeout, ResultCaps caps)
        : base(caps)
    {
        _configuredPath = config.String("path", required: true)!;
        config.RefuseUnknown();
        _paths = paths;
        Path = paths.Resolve(_configuredPath);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(statementTimeout.TotalSeconds),
        };
        _connectionString = builder.ToString();
        // A sandboxed connection carries an authorizer and limits; it must never be handed to another read by the pool.
        builder.Pooling = false;
        _sandboxConnectionString = builder.ToString();
    }

    public string Path { get; }

    protected override SqlDialect Dialect => SqlDialect.Sqlite;

    public override bool SupportsSql => true;

    protected override ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) => OpenAsync(_connectionString, cancellationToken);

    private async ValueTask<DbConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        // Checked again at every open: a symbolic link along the path may have been changed since registration.
        if (_paths.Resolve(_configuredPath) != Path)
        {
            throw new InvalidOperationException($"The SQLite path '{_configuredPath}' no longer leads to '{Path}'.");
        }
        if (!File.Exists(Path))
        {
            // Opening a missing file read-only fails with a bare "unable to open"; say which file.
            throw new FileNotFoundException($"The SQLite file '{Path}' does not exist.", Path);
        }
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    protected override void Bind(DbCommand command, QueryParameter parameter) =>
        ((SqliteCommand)command).Parameters.AddWithValue(parameter.Name, parameter.Value switch
        {
            DateOnly date => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset moment => moment.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            bool flag => flag ? 1L : 0L,
            var value => value,
        });

    protected override Exception Classify(Exception exception) => exception switch
    {
        // SQLITE_ERROR (1) is a bad statement, SQLITE_READONLY (8) a write attempt, SQLITE_AUTH (23) a denied one.
        SqliteException { SqliteErrorCode: 1 or 8 or 23 } e => new DataSourceQueryException($"SQLite refused the statement: {e.Message}", e),
        // SQLITE_TOOBIG (18): a value went over SQLITE_LIMIT_LENGTH, inside SQLite, before it was allocated.
        SqliteException { SqliteErrorCode: 18 } e => new ResultTooLargeException(
            $"A value is larger than the {Caps.MaxValueBytes} bytes one value may take (SQLite: {e.Message}).", e),
        // SQLITE_INTERRUPT (9): our token fired and interrupted the statement.
        SqliteException { SqliteErrorCode: 9 } e => new OperationCanceledException("The statement was interrupted.", e),
        _ => exception,
    };

    /// <summary>The tables and views of the main database, by name, without SQLite's own.</summary>
    internal static async Task<List<string>> TableNamesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await using var list = connection.CreateCommand();
        list.CommandText = "SELECT name FROM main.sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name";
        await using var reader = await list.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    public override async Task<IReadOnlyList<TableSchema>> DiscoverAsync(CancellationToken cancellationToken)
    {
        await using var connection = (SqliteConnection)await OpenAsync(cancellationToken);
        var names = await TableNamesAsync(connection, cancellationToken);
        var tables = new List<TableSchema>();
        foreach (var name in names)
        {
            await using var info = connection.CreateCommand();
            info.CommandText = "SELECT name, type, \"notnull\", pk FROM pragma_table_info(@table) ORDER BY cid";
            info.Parameters.AddWithValue("table", name);
            var columns = new List<ColumnSchema>();
            var keys = new List<(string Column, string Declared)>();
            await using (var reader = await info.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    var declared = reader.GetString(1);
                    columns.Add(new ColumnSchema(reader.GetString(0), Map(declared), reader.GetInt64(2) == 0 && reader.GetInt64(3) == 0, declared));
                    if (reader.GetInt64(3) > 0)
                    {
                        keys.Add((reader.GetString(0), declared));
                    }
                }
            }
            tables.Add(new TableSchema(name, columns, [name], await IndexesAsync(connection, name, keys, cancellationToken)));
        }
        return tables;
    }

    /// <summary>
    /// The table's indexes by their columns, leading column first (for query advice): those <c>PRAGMA index_list</c>
    /// names that cover the whole table (a partial one only serves some filters), cut at the first expression column,
    /// plus the rowid when an INTEGER PRIMARY KEY aliases it. Null for a view, which has no indexes of its own.
    /// </summary>
    private static async Task<IReadOnlyList<IReadOnlyList<string>>?> IndexesAsync(SqliteConnection connection, string table,
        List<(string Column, string Declared)> keys, CancellationToken cancellationToken)
    {
        await using (var kind = connection.CreateCommand())
        {
            kind.CommandText = "SELECT type FROM main.sqlite_schema WHERE name = @table";
            kind.Parameters.AddWithValue("table", table);
            if (await kind.ExecuteScalarAsync(cancellationToken) is not "table")
            {
                return null;
            }
        }
        var names = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM pragma_index_list(@table) WHERE partial = 0 ORDER BY name";
            list.Parameters.AddWithValue("table", table);
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                names.Add(reader.GetString(0));
            }
        }
        var indexes = new List<IReadOnlyList<string>>();
        // A single INTEGER PRIMARY KEY column is the rowid itself: the table is ordered by it, with no index listed.
        if (keys is [var key] && string.Equals(key.Declared.Trim(), "INTEGER", StringComparison.OrdinalIgnoreCase))
        {
            indexes.Add([key.Column]);
        }
        foreach (var index in names)
        {
            await using var columns = connection.CreateCommand();
            columns.CommandText = "SELECT name FROM pragma_index_info(@index) ORDER BY seqno";
            columns.Parameters.AddWithValue("index", index);
            var leading = new List<string>();
            await using var reader = await columns.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(0))
            {
                leading.Add(reader.GetString(0));
            }
            if (leading.Count > 0 && !indexes.Any(i => i.SequenceEqual(leading)))
            {
                indexes.Add(leading);
            }
        }
        return indexes;
    }

    /// <summary>
    /// SQLite's type affinity rules, plus the date, boolean and JSON names people declare, and the user guide's
    /// <c>OBJECT</c>, <c>ARRAY</c> and <c>DATETIME</c> (the samples declare them; the values are JSON and ISO text).
    /// </summary>
    internal static DataType Map(string declared)
    {
        var type = declared.ToUpperInvariant();
        return type switch
        {
            "OBJECT" or "JSON_OBJECT" => DataType.Object,
            "ARRAY" or "JSON_ARRAY" => DataType.Array,
            _ when type.Contains("INT", StringComparison.Ordinal) => DataType.Integer,
            _ when type.Contains("BOOL", StringComparison.Ordinal) => DataType.Boolean,
            "DATE" => DataType.Date,
            _ when type.Contains("TIMESTAMP", StringComparison.Ordinal) || type.Contains("DATETIME", StringComparison.Ordinal) => DataType.Datetime,
            _ when type.Contains("JSON", StringComparison.Ordinal) => DataType.Json,
            _ when type.Contains("BLOB", StringComparison.Ordinal) => DataType.Binary,
            _ when type.Contains("REAL", StringComparison.Ordinal) || type.Contains("FLOA", StringComparison.Ordinal)
                || type.Contains("DOUB", StringComparison.Ordinal) || type.Contains("NUMERIC", StringComparison.Ordinal)
                || type.Contains("DECIMAL", StringComparison.Ordinal) => DataType.Decimal,
            _ => DataType.Text,
        };
    }

    // SQLite runs a statement synchronously on the calling thread, and Microsoft.Data.Sqlite only looks at the token
    // between steps. On a grain's thread a long statement would stall the data-source grain (and one of the silo's
    // scheduler threads) for its whole length, so statements run on the thread pool, and a fired token interrupts the
    // running step (sqlite3_interrupt), which is what makes the query timeout hold for SQLite.
    public override Task<RowSet> ReadAsync(PreparedRead read, CancellationToken cancellationToken) =>
        Task.Run(() => base.ReadAsync(read, cancellationToken), cancellationToken);

    // Raw SQL may run for its whole timeout (a recursive CTE is all CPU), and a few at once would hold the thread pool
    // that the silo's schedulers and the gateway share: each gets a thread of its own instead. SQLite steps
    // synchronously, so the statement stays on that thread from start to end.
    public override Task<RowSet> ExecuteReadOnlySqlAsync(string sql, int maxRows, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => ExecuteSandboxedAsync(sql, maxRows, timeout, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    protected override IDisposable? InterruptOnCancel(DbConnection connection, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static state => SQLitePCL.raw.sqlite3_interrupt(((SqliteConnection)state!).Handle), connection)
            : null;

    private async Task<RowSet> ExecuteSandboxedAsync(string sql, int maxRows, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            // Read-only (Mode=ReadOnly), unpooled, and sandboxed: the statement can read the source's own tables only.
            await using var connection = (SqliteConnection)await OpenAsync(_sandboxConnectionString, cancellationToken);
            using var interrupt = InterruptOnCancel(connection, cancellationToken);
            var sandbox = await SqliteSandbox.InstallAsync(connection, Caps.MaxValueBytes, cancellationToken);
            sandbox.CheckStatement(connection, sql);
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.CommandTimeout = (int)Math.Ceiling(timeout.TotalSeconds);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await ReadAllAsync(reader, maxRows, cancellationToken);
        }
        catch (Exception e) when (e is not (OperationCanceledException or DataSourceQueryException or ResultTooLargeException or MultipleStatementsException))
        {
            throw Classify(e);
        }
    }
}
