using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.DataSources.Governance;

/// <summary>
/// What one caller may do on one table, everything resolved: the visible fields (in table order), the row filters
/// added to every query, the masks, and a fingerprint of all three for the query cache.
/// </summary>
public sealed record TablePolicy(
    TableSchema Table,
    IReadOnlyList<ColumnSchema> VisibleColumns,
    IReadOnlyList<DataFilter> RowFilters,
    IReadOnlyDictionary<string, MaskKind> Masks,
    string Fingerprint)
{
    public bool IsVisible(string field) => VisibleColumns.Any(c => string.Equals(c.Name, field, StringComparison.Ordinal));

    public bool IsMasked(string field) => Masks.ContainsKey(field);

    /// <summary>The column a field reads: itself, or the column its member path starts in (<c>salary_range</c> of <c>salary_range.max</c>).</summary>
    public string ColumnOf(string field) => FieldPaths.ColumnOf(Table, field);

    /// <summary>Whether the column a field reads is visible (its members are checked when the query is compiled).</summary>
    public bool IsVisibleField(string field) => IsVisible(ColumnOf(field));
}
