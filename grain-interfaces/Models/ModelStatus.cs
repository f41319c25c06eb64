namespace Mcp.Cluster.Models;

/// <summary>Whether a model takes traffic. Only <see cref="Active"/> and <see cref="Registered"/> (not yet checked) do.</summary>
[GenerateSerializer, Alias("mcp.ModelStatus")]
public enum ModelStatus
{
    Registered,
    Active,
    Error,
    Maintenance,
    /// <summary>A hosted model whose session fits on no live silo (GPU or memory); calls get 503 until one does.</summary>
    Unschedulable,
}
