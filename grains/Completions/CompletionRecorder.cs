using System.Text;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Completions;

/// <summary>
/// What an executor keeps of a completion it streams until it ends: the text up to the retention cap and the length
/// of the whole (to estimate tokens when the provider does not count them).
/// </summary>
public sealed class CompletionRecorder(string id, CompletionStart start, int maxTextChars)
{
    private StringBuilder? _text;

    public string Id { get; } = id;

    public CompletionStart Start { get; } = start;

    public int GeneratedBytes { get; private set; }

    /// <summary>Keeps <paramref name="text"/> (<paramref name="bytes"/> long in UTF-8) up to the cap.</summary>
    public void Append(string text, int bytes)
    {
        GeneratedBytes += bytes;
        var room = maxTextChars - (_text?.Length ?? 0);
        if (room > 0)
        {
            (_text ??= new StringBuilder()).Append(text, 0, Math.Min(room, text.Length));
        }
    }

    /// <summary>
    /// The record of how it ended; <paramref name="last"/> is null when the caller went away. Unfinished completions
    /// count the same estimate the gateway settles the key's tokens with: the prompt counts once text has flowed.
    /// </summary>
    public CompletionRecord End(CompletionRequest request, CompletionChunk? last, DateTimeOffset now)
    {
        CompletionEnd end;
        if (last is { FinishReason: not null })
        {
            end = new CompletionEnd(CompletionState.Completed, now, last.FinishReason, last.PromptTokens, last.CompletionTokens, _text?.ToString(), null, null);
        }
        else
        {
            var state = last?.Error is null or PredictionOutcome.Cancelled ? CompletionState.Cancelled : CompletionState.Failed;
            end = new CompletionEnd(state, now, null, GeneratedBytes > 0 ? TokenEstimate.OfPrompt(request.Messages, request.Prompt) : 0,
                TokenEstimate.OfBytes(GeneratedBytes), _text?.ToString(), last?.Error, last?.Detail);
        }
        return new CompletionRecord(Id, Start, end.State, end);
    }
}
