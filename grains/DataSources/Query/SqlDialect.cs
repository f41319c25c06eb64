using System.Text;

namespace Mcp.Cluster.DataSources.Query;

/// <summary>How one SQL engine spells what the query compiler emits: quoted identifiers, parameters, pattern matches, paging.</summary>
public abstract class SqlDialect
{
    public static SqlDialect Postgres { get; } = new NamedParameterDialect("postgres", caseInsensitiveLike: "ILIKE");

    /// <summary>SQLite's LIKE is already case-insensitive for ASCII.</summary>
    public static SqlDialect Sqlite { get; } = new NamedParameterDialect("sqlite", caseInsensitiveLike: "LIKE");

    /// <summary>Snowflake's SQL API binds parameters by position (<c>?</c>, bindings "1", "2", …).</summary>
    public static SqlDialect Snowflake { get; } = new PositionalParameterDialect("snowflake", caseInsensitiveLike: "ILIKE");

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

    /// <summary>
    /// A double-quoted identifier. Identifiers only ever come from the discovered schema, never from input as such;
    /// quoting still doubles embedded quotes so a column named <c>a"b</c> stays one identifier.
    /// </summary>
    public void AppendIdentifier(StringBuilder sql, string identifier) =>
        sql.Append('"').Append(identifier.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');

    private sealed class NamedParameterDialect(string name, string caseInsensitiveLike) : SqlDialect(name, caseInsensitiveLike)
    {
        public override string Placeholder(int index) => "@p" + index;

        public override string ParameterName(int index) => "p" + index;
    }

    private sealed class PositionalParameterDialect(string name, string caseInsensitiveLike) : SqlDialect(name, caseInsensitiveLike)
    {
        public override bool BindsPaging => false;

        public override string Placeholder(int index) => "?";

        public override string ParameterName(int index) => (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
