namespace Mcp.Cluster.DataSources;

/// <summary>
/// The answer to a query. <see cref="RowsJson"/> is the rows as a UTF-8 JSON array of objects, masks already applied,
/// so the gateway writes it out without another serialization. <see cref="Table"/> is the table read (the one the
/// source chose when the query named none).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataQueryResult")]
public sealed record DataQueryResult(
    [property: Id(0)] DataQueryOutcome Outcome,
    [property: Id(1)] string? Detail = null,
    [property: Id(2)] string? Field = null,
    [property: Id(3)] IReadOnlyList<ColumnSchema>? Columns = null,
    [property: Id(4)] byte[]? RowsJson = null,
    [property: Id(5)] int RowCount = 0,
    [property: Id(6)] bool Cached = false,
    [property: Id(7)] IReadOnlyDictionary<string, MaskKind>? MaskedFields = null,
    [property: Id(8)] bool LimitedByQuota = false,
    [property: Id(9)] DateTimeOffset? QuotaResetAt = null,
    [property: Id(10)] double ElapsedMs = 0,
    [property: Id(11)] string? Table = null)
{
    public static DataQueryResult Refused(DataQueryOutcome outcome, string detail, string? field = null) => new(outcome, detail, field);
}
