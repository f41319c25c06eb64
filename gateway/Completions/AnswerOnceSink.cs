using System.Text;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.Completions;

/// <summary>
/// A sink for non-streamed answers: it collects the completion's id and text and answers once, when the completion
/// ends. Streaming sinks never hold the text; only the answers that return it whole do.
/// </summary>
public abstract class AnswerOnceSink(HttpContext context) : ICompletionSink
{
    private readonly StringBuilder _text = new();

    protected HttpContext Context => context;

    protected string CompletionId { get; private set; } = "";

    protected string Text => _text.ToString();

    public Task RefusedAsync(TokenReservation refusal, long requested) =>
        TokenQuota.WriteRefusalAsync(context, refusal, requested, DateTimeOffset.UtcNow);

    public virtual Task StartedAsync(string completionId)
    {
        CompletionId = completionId;
        return Task.CompletedTask;
    }

    public Task TokenAsync(string text)
    {
        _text.Append(text);
        return Task.CompletedTask;
    }

    public abstract Task DoneAsync(CompletionChunk final);

    public abstract Task FailedAsync(CompletionChunk failure, bool started);
}
