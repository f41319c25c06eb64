namespace Mcp.Cluster.Changes;

/// <summary>
/// Something MCP clients list or subscribe to changed: the set of models (tools), of prompts, of integrations, or one
/// data source (<see cref="Name"/>: its definition, grants or schema; resources and resource lists).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.CatalogChange")]
public sealed record CatalogChange(
    [property: Id(0)] CatalogChangeKind Kind,
    [property: Id(1)] string? Name,
    [property: Id(2)] DateTimeOffset At);

[GenerateSerializer, Alias("mcp.CatalogChangeKind")]
public enum CatalogChangeKind
{
    Models,
    Prompts,
    DataSource,
    Integrations,
}
