namespace Mcp.Cluster.Models;

/// <summary>
/// A partial update. <c>Set…</c> flags say a field was present, so that <c>null</c> can mean "clear" (description) or
/// "back to the task's default schema" (schemas). <see cref="ConfigMergePatch"/> is an RFC 7396 merge patch.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelPatch")]
public sealed record ModelPatch
{
    [Id(0)] public bool SetDescription { get; init; }
    [Id(1)] public string? Description { get; init; }
    [Id(2)] public bool SetInputSchema { get; init; }
    [Id(3)] public string? InputSchema { get; init; }
    [Id(4)] public bool SetOutputSchema { get; init; }
    [Id(5)] public string? OutputSchema { get; init; }
    [Id(6)] public IReadOnlyList<ModelDataSource>? DataSources { get; init; }
    [Id(7)] public string? ConfigMergePatch { get; init; }
    [Id(8)] public ModelStatus? Status { get; init; }
    /// <summary>Attaches a backend to a model registered without one; a model's provider never changes after that.</summary>
    [Id(9)] public string? Provider { get; init; }
}
