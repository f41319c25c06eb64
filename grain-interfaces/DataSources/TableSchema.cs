namespace Mcp.Cluster.DataSources;

/// <summary>
/// A table as discovered from its source. <see cref="Name"/> is what callers use (matched exactly);
/// <see cref="Path"/> is how the source names it (e.g. <c>["public", "jobs"]</c>), each part quoted on its own.
/// <see cref="Indexes"/> lists the table's indexes by their columns, leading column first; null when the source
/// reports no index information (Snowflake, Azure blobs, schemas stored before indexes were discovered), which is
/// not the same as an empty list (the source says the table has none).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.TableSchema")]
public sealed record TableSchema(
    [property: Id(0)] string Name,
    [property: Id(1)] IReadOnlyList<ColumnSchema> Columns,
    [property: Id(2)] IReadOnlyList<string> Path,
    [property: Id(3)] IReadOnlyList<IReadOnlyList<string>>? Indexes = null)
{
    public ColumnSchema? FindColumn(string name)
    {
        foreach (var column in Columns)
        {
            if (string.Equals(column.Name, name, StringComparison.Ordinal))
            {
                return column;
            }
        }
        return null;
    }
}
