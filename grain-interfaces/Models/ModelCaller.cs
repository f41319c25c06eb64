namespace Mcp.Cluster.Models;

/// <summary>Who asks for a change; the model grain decides ownership itself rather than trusting the gateway's view.</summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelCaller")]
public sealed record ModelCaller(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Owner,
    [property: Id(2)] bool IsAdmin);
