using System.Data.Common;
using Mcp.Cluster.DataSources.Query;
using Microsoft.Data.Sqlite;

namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>
/// An SQLite database file, opened read-only. Config: <c>path</c> (relative paths are under the cluster's data
/// directory). This is what the local default's sample sources live in.
/// </summary>
public sealed class SqliteConnector : SqlConnector
{
    public const string TypeName = "sqlite";

    private readonly string _connectionString;

    public SqliteConnector(ConnectorConfig config, string dataDirectory, TimeSpan statementTimeout)
    {
        var path = config.String("path", required: true)!;
        config.RefuseUnknown();
        Path = System.IO.Path.GetFullPath(path, dataDirectory);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(statementTimeout.TotalSeconds),
        }.ToString();
    }

    public string Path { get; }

    protected override SqlDialect Dialect => SqlDialect.Sqlite;

    public override bool SupportsSql => true;

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            // Opening a missing file read-only fails with a bare "unable to open"; say which file.
            throw new FileNotFoundException($"The SQLite file '{Path}' does not exist.", Path);
        }
        var connection = new SqliteConnection(_connectionString);
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
        // SQLITE_INTERRUPT (9): our token fired and interrupted the statement.
        SqliteException { SqliteErrorCode: 9 } e => new OperationCanceledException("The statement was interrupted.", e),
        _ => exception,
    };

    public override async Task<IReadOnlyList<TableSchema>> DiscoverAsync(CancellationToken cancellationToken)
    {
        await using var connection = (SqliteConnection)await OpenAsync(cancellationToken);
        var names = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name";
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                names.Add(reader.GetString(0));
            }
        }
        var tables = new List<TableSchema>();
        foreach (var name in names)
        {
            await using var info = connection.CreateCommand();
            info.CommandText = "SELECT name, type, \"notnull\", pk FROM pragma_table_info(@table) ORDER BY cid";
            info.Parameters.AddWithValue("table", name);
            var columns = new List<ColumnSchema>();
            await using var reader = await info.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var declared = reader.GetString(1);
                columns.Add(new ColumnSchema(reader.GetString(0), Map(declared), reader.GetInt64(2) == 0 && reader.GetInt64(3) == 0, declared));
            }
            tables.Add(new TableSchema(name, columns, [name]));
        }
        return tables;
    }

    /// <summary>SQLite's type affinity rules, plus the date, boolean and JSON names people declare.</summary>
    private static DataType Map(string declared)
    {
        var type = declared.ToUpperInvariant();
        return type switch
        {
            _ when type.Contains("INT", StringComparison.Ordinal) => DataType.Integer,
            _ when type.Contains("BOOL", StringComparison.Ordinal) => DataType.Boolean,
            "DATE" => DataType.Date,
            _ when type.Contains("TIMESTAMP", StringComparison.Ordinal) || type.Contains("DATETIME", StringComparison.Ordinal) => DataType.Timestamp,
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

    public override Task<RowSet> ExecuteReadOnlySqlAsync(string sql, int maxRows, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.Run(() => ExecuteOnPoolAsync(sql, maxRows, timeout, cancellationToken), cancellationToken);

    protected override IDisposable? InterruptOnCancel(DbConnection connection, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static state => SQLitePCL.raw.sqlite3_interrupt(((SqliteConnection)state!).Handle), connection)
            : null;

    private async Task<RowSet> ExecuteOnPoolAsync(string sql, int maxRows, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            // The connection itself is read-only (Mode=ReadOnly), so no statement can write.
            await using var connection = (SqliteConnection)await OpenAsync(cancellationToken);
            using var interrupt = InterruptOnCancel(connection, cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.CommandTimeout = (int)Math.Ceiling(timeout.TotalSeconds);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await ReadAllAsync(reader, maxRows, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Classify(e);
        }
    }
}
