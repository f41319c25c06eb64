namespace Mcp.Cluster.Models;

/// <summary>
/// One element of a streamed completion. Text chunks carry only <see cref="Text"/>; the last chunk carries
/// <see cref="FinishReason"/> and the token counts. A stream that fails ends with a chunk whose
/// <see cref="Error"/> is set (never silently), before or after any text. A <see cref="Heartbeat"/> chunk carries
/// nothing: the model sends one whenever its provider has been quiet for the request's heartbeat interval, so the
/// gateway can tell a slow model from a silo that died (which sends nothing at all).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.CompletionChunk")]
public sealed record CompletionChunk(
    [property: Id(0)] string Text,
    [property: Id(1)] string? FinishReason = null,
    [property: Id(2)] int PromptTokens = 0,
    [property: Id(3)] int CompletionTokens = 0,
    [property: Id(4)] PredictionOutcome? Error = null,
    [property: Id(5)] string? Detail = null,
    [property: Id(6)] TimeSpan? RetryAfter = null,
    [property: Id(7)] bool Heartbeat = false)
{
    public static readonly CompletionChunk Beat = new("", Heartbeat: true);

    public static CompletionChunk Failure(PredictionOutcome error, string detail, TimeSpan? retryAfter = null) =>
        new("", Error: error, Detail: detail, RetryAfter: retryAfter);
}
