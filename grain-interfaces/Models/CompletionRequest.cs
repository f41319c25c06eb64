namespace Mcp.Cluster.Models;

/// <summary>
/// A chat (<see cref="Messages"/>) or completion (<see cref="Prompt"/>) request to a model's backend.
/// <see cref="Heartbeat"/>, set by the gateway that watches the stream, asks for a heartbeat chunk whenever the
/// provider has sent nothing for that long.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.CompletionRequest")]
public sealed record CompletionRequest(
    [property: Id(0)] IReadOnlyList<CompletionMessage> Messages,
    [property: Id(1)] string? Prompt,
    [property: Id(2)] int? MaxTokens,
    [property: Id(3)] double? Temperature,
    [property: Id(4)] double? TopP,
    [property: Id(5)] IReadOnlyList<string>? Stop,
    [property: Id(6)] string? CompletionId = null,
    [property: Id(7)] Completions.CompletionOrigin? Origin = null,
    [property: Id(8)] TimeSpan? Heartbeat = null);
