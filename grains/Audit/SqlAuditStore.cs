using System.Data.Common;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Mcp.Cluster.Audit;

/// <summary>
/// The audit table in SQLite (created on first use) or PostgreSQL (<c>mcp_data_audit</c>, created by
/// deploy/postgres/schema.sql). Entries are only ever inserted; times are stored as UTC milliseconds in SQLite and
/// as timestamptz in PostgreSQL.
/// </summary>
public sealed class SqlAuditStore : IAuditStore
{
    private const int MaxStatementLength = 4000;
    private const int ColumnsPerRow = 14;
    // 14 parameters a row: 100 rows stay far below SQLite's (32766) and PostgreSQL's (65535) parameter limits.
    private const int RowsPerInsert = 100;

    private readonly Func<CancellationToken, ValueTask<DbConnection>> _open;
    private readonly bool _postgres;
    private readonly SemaphoreSlim _created = new(1, 1);
    private bool _ready;

    private SqlAuditStore(Func<CancellationToken, ValueTask<DbConnection>> open, bool postgres)
    {
        _open = open;
        _postgres = postgres;
        _ready = postgres;
    }

    public static SqlAuditStore Sqlite(string path)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        return new SqlAuditStore(async ct =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(ct);
            return connection;
        }, postgres: false);
    }

    public static SqlAuditStore Postgres(NpgsqlDataSource dataSource) =>
        new(async ct => await dataSource.OpenConnectionAsync(ct), postgres: true);

    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // One multi-row INSERT per chunk: a batch is one statement to parse and (for PostgreSQL) one round trip.
        foreach (var chunk in entries.Chunk(RowsPerInsert))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder("INSERT INTO mcp_data_audit (occurred_at, key_id, owner, model_id, source, table_name, fields, "
                + "operation, decision, reason, row_count, latency_ms, cached, statement) VALUES");
            for (var i = 0; i < chunk.Length; i++)
            {
                var entry = chunk[i];
                var at = i * ColumnsPerRow;
                sql.Append(i == 0 ? " (" : ", (");
                for (var p = 0; p < ColumnsPerRow; p++)
                {
                    sql.Append(p == 0 ? "@p" : ", @p").Append(at + p);
                }
                sql.Append(')');
                Add(command, $"p{at}", _postgres ? entry.Timestamp.ToUniversalTime() : entry.Timestamp.ToUnixTimeMilliseconds());
                Add(command, $"p{at + 1}", entry.KeyId);
                Add(command, $"p{at + 2}", entry.Owner);
                Add(command, $"p{at + 3}", entry.ModelId);
                Add(command, $"p{at + 4}", entry.Source);
                Add(command, $"p{at + 5}", entry.Table);
                Add(command, $"p{at + 6}", JsonSerializer.Serialize(entry.Fields), json: true);
                Add(command, $"p{at + 7}", entry.Operation);
                Add(command, $"p{at + 8}", DecisionName(entry.Decision));
                Add(command, $"p{at + 9}", entry.Reason);
                Add(command, $"p{at + 10}", entry.RowCount);
                Add(command, $"p{at + 11}", entry.LatencyMs);
                Add(command, $"p{at + 12}", entry.Cached);
                Add(command, $"p{at + 13}", entry.Statement is { Length: > MaxStatementLength } s ? s[..MaxStatementLength] : entry.Statement);
            }
            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("""
            SELECT id, occurred_at, key_id, owner, model_id, source, table_name, fields, operation, decision, reason,
                row_count, latency_ms, cached, statement
            FROM mcp_data_audit WHERE 1 = 1
            """);
        void Where(string condition, string name, object value)
        {
            sql.Append(" AND ").Append(condition);
            Add(command, name, value);
        }
        if (query.Source is { } source) Where("source = @source", "source", source);
        if (query.KeyId is { } key) Where("key_id = @key", "key", key);
        if (query.ModelId is { } model) Where("model_id = @model", "model", model);
        if (query.Decision is { } decision) Where("decision = @decision", "decision", DecisionName(decision));
        if (query.Since is { } since) Where("occurred_at >= @since", "since", _postgres ? since.ToUniversalTime() : since.ToUnixTimeMilliseconds());
        if (query.Until is { } until) Where("occurred_at < @until", "until", _postgres ? until.ToUniversalTime() : until.ToUnixTimeMilliseconds());
        if (query.BeforeId is { } before) Where("id < @before", "before", before);
        sql.Append(" ORDER BY id DESC LIMIT @limit");
        Add(command, "limit", query.Limit);
        command.CommandText = sql.ToString();

        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var at = _postgres
                ? new DateTimeOffset(reader.GetFieldValue<DateTime>(1), TimeSpan.Zero)
                : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
            entries.Add(new AuditEntry(
                reader.GetInt64(0), at, reader.GetString(2), reader.GetString(3), NullableString(reader, 4), reader.GetString(5),
                NullableString(reader, 6), JsonSerializer.Deserialize<string[]>(reader.GetString(7)) ?? [], reader.GetString(8),
                Enum.Parse<AuditDecision>(reader.GetString(9), ignoreCase: true), NullableString(reader, 10), reader.GetInt32(11),
                reader.GetDouble(12), reader.GetBoolean(13), NullableString(reader, 14)));
        }
        return entries;
    }

    private async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await _open(cancellationToken);
        if (!_ready)
        {
            await _created.WaitAsync(cancellationToken);
            try
            {
                if (!_ready)
                {
                    await using var create = connection.CreateCommand();
                    create.CommandText = """
                        PRAGMA journal_mode = WAL;
                        CREATE TABLE IF NOT EXISTS mcp_data_audit (
                            id          INTEGER PRIMARY KEY AUTOINCREMENT,
                            occurred_at INTEGER NOT NULL,
                            key_id      TEXT    NOT NULL,
                            owner       TEXT    NOT NULL,
                            model_id    TEXT,
                            source      TEXT    NOT NULL,
                            table_name  TEXT,
                            fields      TEXT    NOT NULL,
                            operation   TEXT    NOT NULL,
                            decision    TEXT    NOT NULL,
                            reason      TEXT,
                            row_count   INTEGER NOT NULL,
                            latency_ms  REAL    NOT NULL,
                            cached      INTEGER NOT NULL,
                            statement   TEXT
                        );
                        CREATE INDEX IF NOT EXISTS mcp_data_audit_source ON mcp_data_audit (source, id);
                        CREATE INDEX IF NOT EXISTS mcp_data_audit_key ON mcp_data_audit (key_id, id);
                        """;
                    await create.ExecuteNonQueryAsync(cancellationToken);
                    _ready = true;
                }
            }
            finally
            {
                _created.Release();
            }
        }
        return connection;
    }

    private void Add(DbCommand command, string name, object? value, bool json = false)
    {
        if (_postgres)
        {
            var parameter = new NpgsqlParameter(name, value ?? DBNull.Value);
            if (json)
            {
                parameter.NpgsqlDbType = NpgsqlDbType.Jsonb;
            }
            else if (value is null)
            {
                parameter.NpgsqlDbType = NpgsqlDbType.Text;
            }
            command.Parameters.Add(parameter);
        }
        else
        {
            ((SqliteCommand)command).Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
    }

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string DecisionName(AuditDecision decision) => decision switch
    {
        AuditDecision.Allowed => "allowed",
        AuditDecision.Denied => "denied",
        _ => "failed",
    };
}
