namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>How much one read may return: in total (<see cref="MaxBytes"/>) and in any one value (<see cref="MaxValueBytes"/>).</summary>
public sealed record ResultCaps(long MaxBytes, int MaxValueBytes)
{
    public static ResultCaps From(DataSourceGrainOptions options) => new(options.MaxResultBytes, options.MaxValueBytes);

    /// <summary>A fresh count for one read.</summary>
    public ResultBudget Start() => new(this);
}
