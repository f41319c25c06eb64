namespace Mcp.Cluster.Models;

/// <summary>The catalog's answer to moving an alias: the outcome and, when it moved, where it points now.</summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelAliasResult")]
public sealed record ModelAliasResult(
    [property: Id(0)] ModelCommandOutcome Outcome,
    [property: Id(1)] ModelAlias? Alias = null);
