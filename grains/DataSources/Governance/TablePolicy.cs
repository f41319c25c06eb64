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
}
