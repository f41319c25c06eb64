namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// Everything the host of a model's session needs to load and run it, sent with each run so a host that was
/// unloaded (idle, or its silo gone) loads again on the next call without asking. <see cref="SessionKey"/> changes
/// with the file and with every setting here, so a changed model is a new session.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.HostedSessionSpec")]
public sealed record HostedSessionSpec(
    [property: Id(0)] string ModelId,
    [property: Id(1)] string SessionKey,
    [property: Id(2)] HostedArtifact Artifact,
    [property: Id(3)] string Device,
    [property: Id(4)] int BatchSize,
    [property: Id(5)] TimeSpan BatchWait,
    [property: Id(6)] HostingRequirement Requirement,
    [property: Id(7)] OutputPooling? Pooling);
