namespace Mcp.Cluster.Models;

/// <summary>Whether a model takes traffic. Only <see cref="Active"/> and <see cref="Registered"/> (not yet checked) do.</summary>
[GenerateSerializer, Alias("mcp.ModelStatus")]
public enum ModelStatus
{
    Registered,
    Active,
    Error,
    Maintenance,
}
