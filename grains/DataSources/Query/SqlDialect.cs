using System.Text;

namespace Mcp.Cluster.DataSources.Query;

/// <summary>How one SQL engine spells what the query compiler emits: quoted identifiers, parameters, pattern matches, paging, members of JSON values.</summary>
public abstract class SqlDialect
{
    public static SqlDialect Postgres { get; } = new PostgresDialect();

    /// <summary>SQLite's LIKE is already case-insensitive for ASCII.</summary>
    public static SqlDialect Sqlite { get; } = new SqliteDialect();

    /// <summary>
    /// Snowflake's SQL API binds parameters by position (<c>?</c>, bindings "1", "2", …). Member paths are refused:
    /// a member read repeats its path, which positional binding would have to bind twice, and the test server cannot
    /// prove GET_PATH's behaviour on values of mixed types.
    /// </summary>
    public static SqlDialect Snowflake { get; } = new PositionalParameterDialect("snowflake", caseInsensitiveLike: "ILIKE");

    /// <summary>
    /// Checks and fingerprints queries run over rows held in memory: the statement is never run, it names exactly
    /// what is read. Object and JSON fields have members (the engine navigates the JSON itself).
    /// </summary>
    public static SqlDialect InMemory { get; } = new InMemoryDialect();

    protected SqlDialect(string name, string caseInsensitiveLike)
    {
        Name = name;
        CaseInsensitiveLike = caseInsensitiveLike;
    }

    public string Name { get; }

    public string CaseInsensitiveLike { get; }

    /// <summary>
    /// Whether LIMIT and OFFSET are bound as parameters. Where the engine does not take placeholders there, they are
    /// written as integer literals: they are checked integers the compiler formats itself, never request text.
    /// </summary>
    public virtual bool BindsPaging => true;

    /// <summary>The placeholder for the parameter at <paramref name="index"/> (0-based).</summary>
    public abstract string Placeholder(int index);

    /// <summary>The parameter's name as the driver expects it (named dialects), or its 1-based position.</summary>
    public abstract string ParameterName(int index);

    /// <summary>Whether a member path (<c>salary_range.max</c>) can be read from <paramref name="column"/>.</summary>
    public virtual bool SupportsMembers(ColumnSchema column) => false;

    /// <summary>The bound value that names a (checked) member path in this engine's path syntax.</summary>
    public virtual (object Value, DataType Type) MemberPath(IReadOnlyList<string> members) =>
        throw new NotSupportedException($"The {Name} dialect has no member paths.");

    /// <summary>
    /// Appends the read of the member at <paramref name="path"/> (a placeholder) of <paramref name="column"/>. The path
    /// placeholder may appear more than once, which named parameters allow.
    /// </summary>
    public virtual void AppendMember(StringBuilder sql, string column, string path, MemberUse use) =>
        throw new NotSupportedException($"The {Name} dialect has no member paths.");

    /// <summary>
    /// A double-quoted identifier. Identifiers only ever come from the discovered schema, never from input as such;
    /// quoting still doubles embedded quotes so a column named <c>a"b</c> stays one identifier.
    /// </summary>
    public void AppendIdentifier(StringBuilder sql, string identifier) =>
        sql.Append('"').Append(identifier.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');

    private string Quoted(string identifier)
    {
        var sql = new StringBuilder();
        AppendIdentifier(sql, identifier);
        return sql.ToString();
    }

    private class NamedParameterDialect(string name, string caseInsensitiveLike) : SqlDialect(name, caseInsensitiveLike)
    {
        public override string Placeholder(int index) => "@p" + index;

        public override string ParameterName(int index) => "p" + index;
    }

    /// <summary>
    /// PostgreSQL reads members of json and jsonb columns (as jsonb: json has no equality, so it could not be grouped)
    /// with <c>#&gt;</c>/<c>#&gt;&gt;</c> and a bound text[] path; a typed read casts only after jsonb_typeof said the
    /// member has that type, so a member that is text in one row and a number in another never fails the statement.
    /// </summary>
    private class PostgresDialect(string name = "postgres") : NamedParameterDialect(name, "ILIKE")
    {
        public override bool SupportsMembers(ColumnSchema column) =>
            column.NativeType is "json" or "jsonb" && column.Type is DataType.Json or DataType.Object;

        public override (object Value, DataType Type) MemberPath(IReadOnlyList<string> members) => (members.ToArray(), DataType.Array);

        public override void AppendMember(StringBuilder sql, string column, string path, MemberUse use)
        {
            var value = $"CAST({Quoted(column)} AS jsonb)";
            var json = $"({value} #> {path})";
            var text = $"({value} #>> {path})";
            sql.Append(use switch
            {
                // A JSON null reads as SQL NULL, as a missing member does (and as SQLite and the in-memory engine read it).
                MemberUse.Json => $"NULLIF({json}, 'null'::jsonb)",
                MemberUse.Order => json,
                MemberUse.Present => text,
                MemberUse.Number => $"(CASE WHEN jsonb_typeof{json} = 'number' THEN CAST({text} AS numeric) END)",
                MemberUse.Text => $"(CASE WHEN jsonb_typeof{json} = 'string' THEN {text} END)",
                _ => $"(CASE WHEN jsonb_typeof{json} = 'boolean' THEN CAST({text} AS boolean) END)",
            });
        }
    }

    /// <summary>Like PostgreSQL's statement (never run), for any object or JSON column.</summary>
    private sealed class InMemoryDialect() : PostgresDialect("memory")
    {
        public override bool SupportsMembers(ColumnSchema column) => column.Type is DataType.Json or DataType.Object;
    }

    /// <summary>
    /// SQLite reads members with its JSON functions and a bound <c>$."a"."b"</c> path. SQLite does not check what an
    /// OBJECT column holds, and its JSON functions fail on text that is not JSON, so every read is guarded by
    /// json_valid (CASE evaluates lazily); a typed read checks json_type first, since SQLite would otherwise compare
    /// text with numbers by storage class.
    /// </summary>
    private sealed class SqliteDialect() : NamedParameterDialect("sqlite", "LIKE")
    {
        public override bool SupportsMembers(ColumnSchema column) => column.Type is DataType.Json or DataType.Object;

        public override (object Value, DataType Type) MemberPath(IReadOnlyList<string> members) =>
            ("$" + string.Concat(members.Select(m => ".\"" + m + "\"")), DataType.Text);

        public override void AppendMember(StringBuilder sql, string column, string path, MemberUse use)
        {
            var c = Quoted(column);
            var inner = use switch
            {
                MemberUse.Json => $"json_quote(json_extract({c}, {path}))",
                MemberUse.Order or MemberUse.Present => $"json_extract({c}, {path})",
                MemberUse.Number => $"CASE WHEN json_type({c}, {path}) IN ('integer', 'real') THEN json_extract({c}, {path}) END",
                MemberUse.Text => $"CASE WHEN json_type({c}, {path}) = 'text' THEN json_extract({c}, {path}) END",
                _ => $"CASE json_type({c}, {path}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END",
            };
            sql.Append("(CASE WHEN json_valid(").Append(c).Append(") THEN ").Append(inner).Append(" END)");
        }
    }

    private sealed class PositionalParameterDialect(string name, string caseInsensitiveLike) : SqlDialect(name, caseInsensitiveLike)
    {
        public override bool BindsPaging => false;

        public override string Placeholder(int index) => "?";

        public override string ParameterName(int index) => (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
