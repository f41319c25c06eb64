namespace Mcp.Cluster.DataSources.Query;

/// <summary>
/// Resolves a field name against a table: an exact column name first (a column may itself contain dots), otherwise a
/// column followed by a <c>.</c>-separated member path. Members are checked here so that nothing unchecked ever
/// reaches a statement, even as a bound value: each is 1 to <see cref="MaxMemberLength"/> of <c>[A-Za-z0-9_]</c>, at
/// most <see cref="MaxDepth"/> deep.
/// </summary>
public static class FieldPaths
{
    public const int MaxDepth = 4;
    public const int MaxMemberLength = 64;

    /// <summary>
    /// The column a field names, without looking at its members: the field itself when it is a column, else the part
    /// before its first dot. Governance decides on this column (hidden, masked) before anything else is said.
    /// </summary>
    public static string ColumnOf(TableSchema table, string field)
    {
        if (table.FindColumn(field) is not null)
        {
            return field;
        }
        var dot = field.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? field[..dot] : field;
    }

    /// <summary>The field, or why it names nothing readable. <paramref name="supportsMembers"/> says which columns a source can look into.</summary>
    public static (FieldRef? Field, string? Problem) Resolve(TableSchema table, string field, Func<ColumnSchema, bool> supportsMembers)
    {
        if (table.FindColumn(field) is { } exact)
        {
            return (new FieldRef(field, exact, []), null);
        }
        var dot = field.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || table.FindColumn(field[..dot]) is not { } column)
        {
            return (null, null);
        }
        var members = field[(dot + 1)..].Split('.');
        if (members.Length > MaxDepth)
        {
            return (null, $"'{Shown(field)}' goes {members.Length} members deep; at most {MaxDepth}.");
        }
        foreach (var member in members)
        {
            if (!IsMember(member))
            {
                return (null, $"'{Shown(field)}' has a member that is not 1 to {MaxMemberLength} letters, digits or '_'.");
            }
        }
        if (column.Type is not (DataType.Object or DataType.Json))
        {
            return (null, $"'{column.Name}' is {FilterValueReader.Describe(column.Type)}; only object and JSON fields have members.");
        }
        if (!supportsMembers(column))
        {
            return (null, $"This data source does not support member paths such as '{Shown(field)}'; name whole fields.");
        }
        return (new FieldRef(field, column, members), null);
    }

    private static bool IsMember(string member)
    {
        if (member.Length is 0 or > MaxMemberLength)
        {
            return false;
        }
        foreach (var c in member)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A field as echoed in an error: never longer than a line.</summary>
    private static string Shown(string field) => field.Length <= 200 ? field : field[..200] + "…";
}
