namespace Mcp.Cluster.DataSources.Query;

/// <summary>
/// What a field named in a query reads: a column, or a member inside an object or JSON column
/// (<c>salary_range.max</c>: column <c>salary_range</c>, members <c>["max"]</c>). <see cref="Name"/> is the text the
/// query used, which is also the answer's column name.
/// </summary>
public sealed record FieldRef(string Name, ColumnSchema Column, IReadOnlyList<string> Members)
{
    public bool IsMember => Members.Count > 0;
}
