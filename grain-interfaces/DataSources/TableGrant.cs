namespace Mcp.Cluster.DataSources;

/// <summary>
/// What a grant allows on one table: which fields (null: all), which rows (filters always added to the caller's
/// own) and which fields are masked on top of the source-wide masks.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.TableGrant")]
public sealed record TableGrant(
    [property: Id(0)] IReadOnlyList<string>? Fields,
    [property: Id(1)] IReadOnlyList<DataFilter> RowFilters,
    [property: Id(2)] IReadOnlyDictionary<string, MaskKind> Masks)
{
    public static readonly TableGrant Everything = new(null, [], new Dictionary<string, MaskKind>());
}
