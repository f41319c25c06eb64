namespace Mcp.Cluster.DataSources;

/// <summary>
/// What one key would see of a source, as an admin previews it (<see cref="IDataSourceExecutorGrain.PreviewAsync"/>).
/// <see cref="Outcome"/> is about the preview itself (the source or table does not exist, the source cannot be read);
/// whether the key may read is <see cref="Readable"/>, with <see cref="Reason"/> when it may not. <see cref="Basis"/> is
/// what its access comes from: <c>admin</c>, <c>key</c> (its own grant), <c>owner</c> or <c>default</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataPreview")]
public sealed record DataPreview(
    [property: Id(0)] DataQueryOutcome Outcome,
    [property: Id(1)] string? Detail = null,
    [property: Id(2)] string? Field = null,
    [property: Id(3)] bool Readable = false,
    [property: Id(4)] string? Reason = null,
    [property: Id(5)] string? Basis = null,
    [property: Id(6)] IReadOnlyList<DataPreviewTable>? Tables = null,
    [property: Id(7)] bool Truncated = false)
{
    /// <summary>Rows per table a preview shows at most.</summary>
    public const int MaxRows = 50;

    public static DataPreview Refused(DataQueryOutcome outcome, string detail, string? field = null) => new(outcome, detail, field);

    public static DataPreview NotReadable(string reason) => new(DataQueryOutcome.Ok, Readable: false, Reason: reason, Tables: []);
}
