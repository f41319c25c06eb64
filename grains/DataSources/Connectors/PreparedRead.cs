namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>
/// A structured query checked and compiled by a connector, ready to run. <see cref="Fingerprint"/> identifies exactly
/// what will be read (the compiled statement and every bound value), for the query cache.
/// </summary>
public abstract record PreparedRead(string Fingerprint, IReadOnlyList<ColumnSchema> Columns, int Limit)
{
    /// <summary>
    /// The rows are groups: group fields (never masked ones, governance refuses those) and computed values, which are
    /// not the values of any field and so are never masked, whatever their names.
    /// </summary>
    public virtual bool IsAggregate => false;
}
