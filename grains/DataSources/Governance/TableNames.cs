namespace Mcp.Cluster.DataSources.Governance;

/// <summary>
/// How a table is named in requests and model declarations: by its name, or (with at least one dot) by the end of
/// its path, as the user guide writes Snowflake tables (<c>MARKET_ANALYTICS.JOB_TRENDS</c> for the table a source on
/// schema MARKET_ANALYTICS discovered as <c>JOB_TRENDS</c>).
/// </summary>
public static class TableNames
{
    public static bool IsNamed(TableSchema table, string named) =>
        string.Equals(table.Name, named, StringComparison.Ordinal) || EndsWithPath(table, named);

    public static bool EndsWithPath(TableSchema table, string named)
    {
        var parts = named.Split('.');
        return parts.Length > 1 && parts.Length <= table.Path.Count
            && parts.SequenceEqual(table.Path.Skip(table.Path.Count - parts.Length), StringComparer.Ordinal);
    }
}
