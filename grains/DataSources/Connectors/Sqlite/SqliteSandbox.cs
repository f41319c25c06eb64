using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Mcp.Cluster.DataSources.Connectors.Sqlite;

/// <summary>
/// Confines one raw SQL statement to reading the source's own tables. SQLite asks the authorizer about every action
/// while it compiles a statement, so the rule holds however the statement is written: it may select, read the
/// tables and views of the main database (and the schema table and the JSON table functions), call functions other
/// than the dangerous ones, and recurse; everything else is refused (ATTACH/DETACH, PRAGMA and the pragma_* tables,
/// transactions and savepoints, writes, DDL, temp objects, other databases). VACUUM compiles without asking the
/// authorizer, so <see cref="CheckStatement"/> also demands a statement that is read-only and returns columns.
/// SQLITE_LIMIT_LENGTH bounds every value SQLite builds (zeroblob, randomblob, printf, group_concat …), so an
/// oversized value fails inside SQLite with SQLITE_TOOBIG before it is allocated; no database may be attached.
/// One instance per connection and statement: it remembers why it refused, for the caller's answer.
/// </summary>
public sealed class SqliteSandbox
{
    private const int Ok = 0;
    private const int Deny = 1;

    // The action codes of sqlite3_set_authorizer that a read needs.
    private const int ReadAction = 20;
    private const int SelectAction = 21;
    private const int FunctionAction = 31;
    private const int RecursiveAction = 33;

    private static readonly HashSet<string> DeniedFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "load_extension", "readfile", "writefile", "edit", "fts3_tokenizer", "sqlite_dbdata", "sqlite_dbptr",
    };

    private static readonly string[] AlwaysReadable = ["sqlite_schema", "sqlite_master", "json_each", "json_tree"];

    private readonly HashSet<string> _tables;

    private SqliteSandbox(IEnumerable<string> tables) =>
        _tables = new HashSet<string>(tables.Concat(AlwaysReadable), StringComparer.OrdinalIgnoreCase);

    /// <summary>Why the last statement was refused, in words the caller can act on.</summary>
    public string? Denial { get; private set; }

    /// <summary>Reads the source's own table names, then installs the authorizer and the limits on <paramref name="connection"/>.</summary>
    public static async Task<SqliteSandbox> InstallAsync(SqliteConnection connection, int maxValueBytes, CancellationToken cancellationToken)
    {
        var sandbox = new SqliteSandbox(await SqliteConnector.TableNamesAsync(connection, cancellationToken));
        var handle = connection.Handle!;
        raw.sqlite3_limit(handle, raw.SQLITE_LIMIT_LENGTH, maxValueBytes);
        raw.sqlite3_limit(handle, raw.SQLITE_LIMIT_ATTACHED, 0);
        raw.sqlite3_set_authorizer(handle, sandbox.Authorize, null);
        return sandbox;
    }

    /// <summary>Compiles the statement once under the authorizer and checks it only reads and returns rows.</summary>
    /// <exception cref="DataSourceQueryException">The statement does anything but read.</exception>
    public void CheckStatement(SqliteConnection connection, string sql)
    {
        var handle = connection.Handle!;
        var rc = raw.sqlite3_prepare_v2(handle, sql, out sqlite3_stmt statement, out string tail);
        using (statement)
        {
            if (rc != raw.SQLITE_OK)
            {
                throw new DataSourceQueryException(Denial is { } denial && rc == raw.SQLITE_AUTH
                    ? $"SQLite refused the statement: {denial}"
                    : $"SQLite refused the statement: {raw.sqlite3_errmsg(handle).utf8_to_string()}");
            }
            if (statement.IsInvalid || raw.sqlite3_stmt_readonly(statement) == 0 || raw.sqlite3_column_count(statement) == 0)
            {
                throw new DataSourceQueryException("SQLite refused the statement: raw SQL must be one statement that only reads and returns rows (a SELECT).");
            }
        }
        RefuseFurtherStatements(handle, tail);
    }

    /// <summary>
    /// SQLite's own parser decides where the statement ends (Microsoft.Data.Sqlite runs every statement of a command,
    /// and no scan of ours agrees with SQLite on [identifiers] and unnested comments): whatever follows must compile to
    /// nothing, i.e. be whitespace, comments and semicolons only.
    /// </summary>
    private static void RefuseFurtherStatements(sqlite3 handle, string tail)
    {
        while (!string.IsNullOrWhiteSpace(tail))
        {
            var rc = raw.sqlite3_prepare_v2(handle, tail, out sqlite3_stmt next, out string rest);
            using (next)
            {
                // Anything that fails to compile or compiles to a statement is a second statement (or its attempt).
                if (rc != raw.SQLITE_OK || !next.IsInvalid || rest.Length >= tail.Length)
                {
                    throw new MultipleStatementsException(MultipleStatementsException.Detail);
                }
            }
            tail = rest;
        }
    }

    private int Authorize(object userData, int action, string? first, string? second, string? database, string? trigger)
    {
        switch (action)
        {
            case SelectAction or RecursiveAction:
                return Ok;
            case ReadAction when database is { Length: > 0 } && !string.Equals(database, "main", StringComparison.OrdinalIgnoreCase):
                return Refuse($"only the source's own tables can be read, not database '{database}'.");
            // No column: the statement only counts rows (count(*)), and SQLite names whatever it counts, a CTE
            // included, without its database. Only main and an empty temp exist, so that reveals nothing.
            case ReadAction when string.IsNullOrEmpty(second):
                return Ok;
            case ReadAction when first is null || !_tables.Contains(first):
                return Refuse($"only the source's own tables can be read, not '{first}'.");
            case ReadAction:
                return Ok;
            case FunctionAction when second is not null && DeniedFunctions.Contains(second):
                return Refuse($"the function {second}() is not allowed.");
            case FunctionAction:
                return Ok;
            default:
                return Refuse($"raw SQL may only read; {ActionName(action)} is not allowed.");
        }
    }

    private int Refuse(string reason)
    {
        Denial = reason;
        return Deny;
    }

    private static string ActionName(int action) => action switch
    {
        19 => "PRAGMA",
        22 => "a transaction (BEGIN/COMMIT/ROLLBACK)",
        24 => "ATTACH",
        25 => "DETACH",
        32 => "a SAVEPOINT",
        9 or 18 or 23 => "writing (INSERT/UPDATE/DELETE)",
        1 or 2 or 3 or 4 or 5 or 6 or 7 or 8 or 10 or 11 or 12 or 13 or 14 or 15 or 16 or 17 or 26 or 27 or 28 or 29 or 30 =>
            "changing the schema (CREATE/DROP/ALTER/REINDEX/ANALYZE)",
        _ => $"action {action}",
    };
}
