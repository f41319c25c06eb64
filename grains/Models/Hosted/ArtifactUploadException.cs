namespace Mcp.Cluster.Models.Hosted;

/// <summary>An upload refused before the model saw it; <see cref="Status"/> is the HTTP status to answer (400, 413, 429).</summary>
public sealed class ArtifactUploadException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
