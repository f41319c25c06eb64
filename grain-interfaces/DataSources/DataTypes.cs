namespace Mcp.Cluster.DataSources;

public static class DataTypes
{
    /// <summary>Values with an inner structure (json, object, array): written as JSON, never compared or ordered.</summary>
    public static bool IsStructured(this DataType type) => type is DataType.Json or DataType.Object or DataType.Array;
}
