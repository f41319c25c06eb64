namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// A hosted model's side of its status: the file it runs, where its session is placed (or why it cannot be), and the
/// loaded session's figures while one is loaded.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelHostingReport")]
public sealed record ModelHostingReport(
    [property: Id(0)] HostedArtifact? Artifact,
    [property: Id(1)] HostingRequirement? Requirement,
    [property: Id(2)] SiloAddress? PlacedOn,
    [property: Id(3)] string? Unschedulable,
    [property: Id(4)] HostedSessionStatus? Session);
