namespace Mcp.Cluster.DataSources.Query;

/// <summary>
/// How a statement reads a member of a JSON value. The member's type is not in the schema and may differ from row to
/// row, so every typed read yields null for a member of another type instead of failing the statement.
/// </summary>
public enum MemberUse
{
    /// <summary>The member as JSON (projected and grouped: the answer keeps its JSON type).</summary>
    Json,

    /// <summary>A value to sort by: numbers numerically, then text.</summary>
    Order,

    /// <summary>Null when the member is missing or JSON null (is_null, count).</summary>
    Present,

    /// <summary>The member when it is a number, else null.</summary>
    Number,

    /// <summary>The member when it is a string, else null.</summary>
    Text,

    /// <summary>The member when it is true or false, else null.</summary>
    Boolean,
}
