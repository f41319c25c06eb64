namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// The part of an execution plan for a model that runs in the cluster: its session and the silo the model grain had
/// it placed on (the executor sends its runs there).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.HostedPlan")]
public sealed record HostedPlan(
    [property: Id(0)] HostedSessionSpec Session,
    [property: Id(1)] SiloAddress Silo);
