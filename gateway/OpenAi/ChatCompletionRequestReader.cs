using System.Text.Json;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.OpenAi;

/// <summary>
/// Reads an OpenAI <c>POST /v1/chat/completions</c> body. Fields the gateway cannot honour (tools, several choices,
/// non-text content) are refused; other OpenAI fields SDKs send by default (<c>user</c>, <c>seed</c>, penalties …)
/// are accepted and not forwarded.
/// </summary>
public static class ChatCompletionRequestReader
{
    private static readonly string[] Unsupported = ["tools", "functions", "tool_choice", "function_call", "logprobs", "audio", "prediction"];

    public sealed record Parsed(string Model, CompletionRequest Request, bool Stream, bool IncludeUsage);

    public sealed record Problem(string Detail, string? Field);

    public static (Parsed? Request, Problem? Problem) Read(JsonElement body, int defaultMaxTokens, int maxTokensLimit)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return Fail("The body must be a JSON object.", null);
        }
        foreach (var name in Unsupported)
        {
            if (body.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.False))
            {
                return Fail($"'{name}' is not supported by this gateway.", name);
            }
        }
        if (!body.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || model.GetString() is not { Length: > 0 } modelName)
        {
            return Fail("Required field 'model' is missing", "model");
        }
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            return Fail("Field 'messages' must be a non-empty array", "messages");
        }
        var turns = new List<CompletionMessage>();
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var path = $"messages[{index++}]";
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
            {
                return Fail($"Field '{path}.role' is missing", $"{path}.role");
            }
            var roleName = role.GetString() switch
            {
                "system" or "developer" => "system",
                "user" => "user",
                "assistant" => "assistant",
                _ => null,
            };
            if (roleName is null)
            {
                return Fail($"Field '{path}.role' must be system, developer, user or assistant", $"{path}.role");
            }
            var (content, problem) = Content(message, path);
            if (problem is not null)
            {
                return (null, problem);
            }
            turns.Add(new CompletionMessage(roleName, content!));
        }

        if (body.TryGetProperty("n", out var n) && n.ValueKind != JsonValueKind.Null
            && !(n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var choices) && choices == 1))
        {
            return Fail("Only n = 1 is supported.", "n");
        }
        int? maxTokens = null;
        foreach (var name in new[] { "max_completion_tokens", "max_tokens" })
        {
            if (body.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var parsed) || parsed < 1 || parsed > maxTokensLimit)
                {
                    return Fail($"Field '{name}' must be an integer between 1 and {maxTokensLimit}", name);
                }
                maxTokens ??= parsed;
            }
        }
        var (temperature, temperatureProblem) = Number(body, "temperature", 0, 2);
        var (topP, topPProblem) = Number(body, "top_p", 0, 1);
        if ((temperatureProblem ?? topPProblem) is { } numberProblem)
        {
            return (null, numberProblem);
        }
        IReadOnlyList<string>? stop = null;
        if (body.TryGetProperty("stop", out var stopValue))
        {
            stop = stopValue.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => [stopValue.GetString()!],
                JsonValueKind.Array when stopValue.GetArrayLength() <= 4 && stopValue.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String) =>
                    stopValue.EnumerateArray().Select(s => s.GetString()!).ToArray(),
                _ => ["\0invalid"],
            };
            if (stop is ["\0invalid"])
            {
                return Fail("Field 'stop' must be a string or an array of at most 4 strings", "stop");
            }
        }
        var stream = body.TryGetProperty("stream", out var streamValue) && streamValue.ValueKind == JsonValueKind.True;
        var includeUsage = body.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
            && options.TryGetProperty("include_usage", out var usage) && usage.ValueKind == JsonValueKind.True;

        var request = new CompletionRequest(turns, null, maxTokens ?? defaultMaxTokens, temperature, topP, stop);
        return (new Parsed(modelName, request, stream, includeUsage), null);
    }

    private static (string? Content, Problem? Problem) Content(JsonElement message, string path)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return (null, new Problem($"Field '{path}.content' is missing", $"{path}.content"));
        }
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return (content.GetString(), null);
            case JsonValueKind.Array:
                var text = new System.Text.StringBuilder();
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.GetString() != "text"
                        || !part.TryGetProperty("text", out var value) || value.ValueKind != JsonValueKind.String)
                    {
                        return (null, new Problem($"Only text parts are supported in '{path}.content'", $"{path}.content"));
                    }
                    text.Append(value.GetString());
                }
                return (text.ToString(), null);
            default:
                return (null, new Problem($"Field '{path}.content' must be a string or an array of text parts", $"{path}.content"));
        }
    }

    private static (double? Value, Problem? Problem) Number(JsonElement body, string name, double min, double max)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }
        return value.ValueKind == JsonValueKind.Number && value.GetDouble() is var d && d >= min && d <= max
            ? (d, null)
            : (null, new Problem($"Field '{name}' must be a number between {min} and {max}", name));
    }

    private static (Parsed?, Problem?) Fail(string detail, string? field) => (null, new Problem(detail, field));
}
