using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.Completions;

public static class CompletionRequestValidator
{
    public const int MaxRequestIdLength = 128;

    public sealed record Problem(string Detail, string Field);

    public static (CompletionRequest? Request, Problem? Problem) Validate(CompletionApiRequest body, CompletionOptions options)
    {
        if (string.IsNullOrWhiteSpace(body.ModelId))
        {
            return Fail("Required field 'model_id' is missing", "model_id");
        }
        if ((body.Messages is null) == (body.Prompt is null))
        {
            return Fail("Send exactly one of 'messages' (chat) or 'prompt' (completion)", body.Messages is null ? "messages" : "prompt");
        }
        var messages = new List<CompletionMessage>();
        if (body.Messages is { } turns)
        {
            if (turns.Length == 0)
            {
                return Fail("Field 'messages' must not be empty", "messages");
            }
            for (var i = 0; i < turns.Length; i++)
            {
                if (turns[i] is not { Role: "system" or "user" or "assistant", Content: not null } turn)
                {
                    return Fail($"Item 'messages[{i}]' needs a role (system, user or assistant) and a content string", $"messages[{i}]");
                }
                messages.Add(new CompletionMessage(turn.Role!, turn.Content!));
            }
        }
        else if (body.Prompt!.Length == 0)
        {
            return Fail("Field 'prompt' must not be empty", "prompt");
        }
        if (body.MaxTokens is { } max && (max < 1 || max > options.MaxTokensLimit))
        {
            return Fail($"Field 'max_tokens' must be between 1 and {options.MaxTokensLimit}", "max_tokens");
        }
        if (body.Temperature is { } temperature && temperature is < 0 or > 2)
        {
            return Fail("Field 'temperature' must be between 0 and 2", "temperature");
        }
        if (body.TopP is { } topP && topP is < 0 or > 1)
        {
            return Fail("Field 'top_p' must be between 0 and 1", "top_p");
        }
        if (body.Stop is { } stop && (stop.Length > 4 || stop.Any(s => string.IsNullOrEmpty(s))))
        {
            return Fail("Field 'stop' may hold at most 4 non-empty strings", "stop");
        }
        if (body.RequestId is { Length: > MaxRequestIdLength })
        {
            return Fail($"Field 'request_id' must be at most {MaxRequestIdLength} characters", "request_id");
        }
        var request = new CompletionRequest(messages, body.Prompt, body.MaxTokens ?? options.DefaultMaxTokens,
            body.Temperature, body.TopP, body.Stop);
        return (request, null);
    }

    private static (CompletionRequest?, Problem?) Fail(string detail, string field) => (null, new Problem(detail, field));
}
