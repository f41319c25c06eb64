namespace Mcp.Cluster.DataSources;

/// <summary>A column of a previewed table: whether the key sees it, and the mask on its values (null: shown as stored).</summary>
[GenerateSerializer, Immutable, Alias("mcp.DataPreviewColumn")]
public sealed record DataPreviewColumn(
    [property: Id(0)] string Name,
    [property: Id(1)] DataType Type,
    [property: Id(2)] bool Visible,
    [property: Id(3)] MaskKind? Mask);
