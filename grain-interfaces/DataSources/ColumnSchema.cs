namespace Mcp.Cluster.DataSources;

[GenerateSerializer, Immutable, Alias("mcp.ColumnSchema")]
public sealed record ColumnSchema(
    [property: Id(0)] string Name,
    [property: Id(1)] DataType Type,
    [property: Id(2)] bool Nullable,
    [property: Id(3)] string NativeType);
