namespace Mcp.Cluster.DataSources;

/// <summary>
/// One table of a preview: every column of the table, with whether the key sees it and how it is masked, the grant's
/// row filters, and the first rows exactly as the key would receive them (<see cref="RowsJson"/>: a UTF-8 JSON array,
/// masks applied). A table the key may not read has <see cref="Readable"/> false and no rows. <see cref="Problem"/>
/// says why rows could not be read for a table the key may read (its fields and filters still shown).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataPreviewTable")]
public sealed record DataPreviewTable(
    [property: Id(0)] string Name,
    [property: Id(1)] bool Readable,
    [property: Id(2)] IReadOnlyList<DataPreviewColumn> Columns,
    [property: Id(3)] IReadOnlyList<DataFilter> RowFilters,
    [property: Id(4)] byte[]? RowsJson = null,
    [property: Id(5)] int RowCount = 0,
    [property: Id(6)] bool Cached = false,
    [property: Id(7)] string? Problem = null);
