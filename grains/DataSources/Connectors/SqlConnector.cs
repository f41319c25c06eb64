using System.Data.Common;
using System.Globalization;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>The shared path of the ADO.NET connectors: compile with the dialect, bind, read rows typed by the schema.</summary>
public abstract class SqlConnector(ResultCaps caps) : DataConnector
{
    /// <summary>What one read may return; counted while rows stream in.</summary>
    protected ResultCaps Caps { get; } = caps;

    protected abstract SqlDialect Dialect { get; }

    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    protected abstract void Bind(DbCommand command, QueryParameter parameter);

    /// <summary>Turns a provider's exception into <see cref="DataSourceQueryException"/> when the statement is at fault.</summary>
    protected abstract Exception Classify(Exception exception);

    /// <summary>
    /// For providers that do not stop a running statement when the token fires: ties the token to the connection for
    /// the statement's lifetime. Disposed before the connection, so it never reaches a connection back in the pool.
    /// </summary>
    protected virtual IDisposable? InterruptOnCancel(DbConnection connection, CancellationToken cancellationToken) => null;

    public override (PreparedRead? Read, QueryProblem? Problem) Prepare(DataQuery query, TableSchema table, QueryLimits limits) =>
        CompiledRead.Compile(query, table, Dialect, limits);

    public override async Task<RowSet> ReadAsync(PreparedRead read, CancellationToken cancellationToken)
    {
        var compiled = ((CompiledRead)read).Compiled;
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            using var interrupt = InterruptOnCancel(connection, cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = compiled.Sql;
            foreach (var parameter in compiled.Parameters)
            {
                Bind(command, parameter);
            }
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<object?[]>();
            var budget = Caps.Start();
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new object?[compiled.Columns.Count];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : Normalize(reader.GetValue(i), compiled.Columns[i].Type);
                    budget.Add(compiled.Columns[i].Name, row[i]);
                }
                rows.Add(row);
            }
            return new RowSet(compiled.Columns, rows);
        }
        catch (Exception e) when (e is not (OperationCanceledException or ResultTooLargeException))
        {
            throw Classify(e);
        }
    }

    public override async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>
    /// Reads an arbitrary statement's result, typing columns from the values the provider reports. Stops at
    /// <paramref name="maxRows"/> (the answer says it was cut) and refuses a result over <see cref="Caps"/> as it streams.
    /// </summary>
    protected async Task<RowSet> ReadAllAsync(DbDataReader reader, int maxRows, CancellationToken cancellationToken)
    {
        var columns = new ColumnSchema[reader.FieldCount];
        for (var i = 0; i < columns.Length; i++)
        {
            var type = reader.GetFieldType(i);
            columns[i] = new ColumnSchema(reader.GetName(i), TypeOf(type), true, reader.GetDataTypeName(i));
        }
        var rows = new List<object?[]>();
        var truncated = false;
        var budget = Caps.Start();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (rows.Count == maxRows)
            {
                truncated = true;
                break;
            }
            var row = new object?[columns.Length];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : Normalize(reader.GetValue(i), columns[i].Type);
                budget.Add(columns[i].Name, row[i]);
            }
            rows.Add(row);
        }
        return new RowSet(columns, rows, truncated);
    }

    private static DataType TypeOf(Type type) =>
        type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte) ? DataType.Integer
        : type == typeof(decimal) || type == typeof(double) || type == typeof(float) ? DataType.Decimal
        : type == typeof(bool) ? DataType.Boolean
        : type == typeof(DateOnly) ? DataType.Date
        : type == typeof(DateTime) || type == typeof(DateTimeOffset) ? DataType.Datetime
        : type == typeof(byte[]) ? DataType.Binary
        : DataType.Text;

    /// <summary>Maps provider values onto the value kinds <see cref="RowSet"/> allows, following the column's type.</summary>
    protected static object? Normalize(object value, DataType type) => (type, value) switch
    {
        (DataType.Boolean, long l) => l != 0,
        (DataType.Boolean, int i) => i != 0,
        (DataType.Integer, int i) => (long)i,
        (DataType.Integer, short s) => (long)s,
        (DataType.Integer, byte b) => (long)b,
        (DataType.Decimal, float f) => (double)f,
        (DataType.Decimal, long l) => (decimal)l,
        (DataType.Json or DataType.Object or DataType.Array, string s) => new RawJson(s),
        (DataType.Json or DataType.Object or DataType.Array, System.Collections.IEnumerable) => new RawJson(System.Text.Json.JsonSerializer.Serialize(value)),
        // SQLite keeps points in time as text ("yyyy-MM-dd HH:mm:ss", what it binds them as); they are answered as
        // ISO 8601 like every other source's. Text that is no point in time stays as it is.
        (DataType.Datetime, string s) when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var moment) => moment,
        (_, Guid g) => g.ToString(),
        (_, string or long or double or decimal or bool or DateOnly or DateTime or DateTimeOffset or byte[]) => value,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}
