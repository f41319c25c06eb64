namespace Mcp.Cluster.Models.Hosted.Placement;

/// <summary>
/// A hosted-model session could not be activated where the ledger placed it (the silo left, or the call named none).
/// Orleans hands it to the caller of the activating call; the remedy is to ask the ledger again and retry.
/// </summary>
[GenerateSerializer, Alias("mcp.HostedPlacementException")]
public sealed class HostedPlacementException : Exception
{
    public HostedPlacementException()
    {
    }

    public HostedPlacementException(string message) : base(message)
    {
    }

    public HostedPlacementException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
