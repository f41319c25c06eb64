using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mcp.Cluster.Tests.WireServers;

/// <summary>
/// Speaks the OpenAI REST API (as vLLM, Ollama and llama.cpp do): <c>GET /v1/models</c>,
/// <c>POST /v1/chat/completions</c> (plain and SSE streaming with <c>chat.completion.chunk</c> frames and
/// <c>[DONE]</c>), and <c>POST /v1/embeddings</c> (float and base64 encodings). The assistant answers
/// "echo: " followed by the last user message, cut to <c>max_tokens</c> words.
/// </summary>
public sealed class OpenAiWireServer(string apiKey = "sk-test", params string[] models) : WireServer
{
    private readonly string[] _models = models.Length > 0 ? models : ["gpt-test", "embed-test"];

    /// <summary>Which header carries the key: "Authorization" (Bearer) or "api-key" (Azure).</summary>
    public string AuthHeader { get; set; } = "Authorization";

    /// <summary>When set, a streamed answer stops after this many content chunks without a finish frame.</summary>
    public int? CutStreamAfter { get; set; }

    /// <summary>Pause between streamed chunks, to keep streams open while a test acts on them.</summary>
    public TimeSpan StreamDelay { get; set; }

    /// <summary>Streams whose client went away (a cancelled upstream call) before the answer was complete.</summary>
    public int AbortedStreams => _abortedStreams;

    private int _abortedStreams;

    public Uri V1 => new(BaseUri, "v1/");

    /// <summary>
    /// When set, the assistant answers with what this returns for the request's messages (role, content) instead of
    /// the echo; null from it falls back to the echo. Lets a test play a model that writes queries.
    /// </summary>
    public Func<IReadOnlyList<(string Role, string Content)>, string?>? Assistant { get; set; }

    /// <summary>The messages of every chat request, as JSON, in arrival order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> ChatRequests { get; } = new();

    /// <summary>
    /// A message or embedding input containing this is refused with HTTP 400 <c>context_length_exceeded</c>, as
    /// OpenAI refuses an input that is too long.
    /// </summary>
    public const string RejectMarker = "[[reject-input]]";

    private static IResult TooLong() => Error(400,
        "This model's maximum context length is 8192 tokens. However, your messages resulted in 9001 tokens.", "context_length_exceeded");

    protected override void MapRoutes(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/models", (HttpContext context) => Authorized(context) ?? Results.Json(new
        {
            @object = "list",
            data = _models.Select(id => new { id, @object = "model", created = 1_700_000_000, owned_by = "wire-server" }),
        }));

        routes.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            if (Authorized(context) is { } denied)
            {
                return denied;
            }
            var request = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
            var model = request?["model"]?.GetValue<string>();
            if (model is null || !_models.Contains(model))
            {
                return Error(404, $"The model '{model}' does not exist", "model_not_found");
            }
            var messages = request!["messages"] as JsonArray ?? [];
            if (messages.ToJsonString().Contains(RejectMarker, StringComparison.Ordinal))
            {
                return TooLong();
            }
            ChatRequests.Enqueue(messages.ToJsonString());
            var lastUser = messages.LastOrDefault(m => m?["role"]?.GetValue<string>() == "user")?["content"]?.GetValue<string>() ?? "";
            var maxTokens = (request["max_completion_tokens"] ?? request["max_tokens"])?.GetValue<int>();
            var scripted = Assistant?.Invoke(messages
                .Select(m => (m?["role"]?.GetValue<string>() ?? "", m?["content"]?.GetValue<string>() ?? "")).ToArray());
            var words = (scripted ?? "echo: " + lastUser).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var finish = "stop";
            if (maxTokens is { } max && words.Length > max)
            {
                words = words[..max];
                finish = "length";
            }
            var promptTokens = messages.Sum(m => (m?["content"]?.GetValue<string>() ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
            if (request["stream"]?.GetValue<bool>() == true)
            {
                var includeUsage = request["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
                await StreamAsync(context, model, words, finish, includeUsage ? (promptTokens, words.Length) : null);
                return Results.Empty;
            }
            return Results.Json(new
            {
                id = "chatcmpl-wire",
                @object = "chat.completion",
                created = 1_700_000_000,
                model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = string.Join(' ', words) }, finish_reason = finish, logprobs = (object?)null } },
                usage = new { prompt_tokens = promptTokens, completion_tokens = words.Length, total_tokens = promptTokens + words.Length },
            });
        });

        routes.MapPost("/v1/embeddings", async (HttpContext context) =>
        {
            if (Authorized(context) is { } denied)
            {
                return denied;
            }
            var request = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
            var inputs = request?["input"] switch
            {
                JsonArray array => array.Select(i => i!.GetValue<string>()).ToArray(),
                JsonValue value => [value.GetValue<string>()],
                _ => [],
            };
            if (inputs.Any(i => i.Contains(RejectMarker, StringComparison.Ordinal)))
            {
                return TooLong();
            }
            var base64 = request?["encoding_format"]?.GetValue<string>() == "base64";
            var dimensions = request?["dimensions"]?.GetValue<int>() ?? 8;
            return Results.Json(new
            {
                @object = "list",
                model = request?["model"]?.GetValue<string>(),
                data = inputs.Select((text, index) =>
                {
                    var vector = Vector(text, dimensions);
                    object embedding = base64 ? Convert.ToBase64String(vector.SelectMany(BitConverter.GetBytes).ToArray()) : vector;
                    return new { @object = "embedding", index, embedding };
                }),
                usage = new { prompt_tokens = inputs.Sum(i => i.Split(' ').Length), total_tokens = inputs.Sum(i => i.Split(' ').Length) },
            });
        });
    }

    /// <summary>The deterministic vector this server gives <paramref name="text"/>.</summary>
    public static float[] Vector(string text, int dimensions = 8) =>
        Enumerable.Range(0, dimensions).Select(i => (float)((text.Length * (i + 1) % 17) / 17.0)).ToArray();

    private async Task StreamAsync(HttpContext context, string model, string[] words, string finish, (int Prompt, int Completion)? usage)
    {
        try
        {
            await StreamWordsAsync(context, model, words, finish, usage);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException || context.RequestAborted.IsCancellationRequested)
        {
            Interlocked.Increment(ref _abortedStreams);
        }
    }

    private async Task StreamWordsAsync(HttpContext context, string model, string[] words, string finish, (int Prompt, int Completion)? usage)
    {
        context.Response.ContentType = "text/event-stream";
        await Frame(context, Chunk(model, new { role = "assistant", content = "" }, null));
        for (var i = 0; i < words.Length; i++)
        {
            if (CutStreamAfter is { } cut && i >= cut)
            {
                // Drop the connection mid-stream, as a crashing upstream would. The pause lets the client read what
                // was sent; a reset discards data still unread in the client's socket buffer.
                await Task.Delay(300);
                context.Abort();
                return;
            }
            await Frame(context, Chunk(model, new { content = (i == 0 ? "" : " ") + words[i] }, null));
            if (StreamDelay > TimeSpan.Zero)
            {
                await Task.Delay(StreamDelay, context.RequestAborted);
            }
        }
        await Frame(context, Chunk(model, new { }, finish));
        if (usage is { } u)
        {
            await Frame(context, new
            {
                id = "chatcmpl-wire", @object = "chat.completion.chunk", created = 1_700_000_000, model,
                choices = Array.Empty<object>(),
                usage = new { prompt_tokens = u.Prompt, completion_tokens = u.Completion, total_tokens = u.Prompt + u.Completion },
            });
        }
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    private static object Chunk(string model, object delta, string? finish) => new
    {
        id = "chatcmpl-wire",
        @object = "chat.completion.chunk",
        created = 1_700_000_000,
        model,
        choices = new[] { new { index = 0, delta, finish_reason = finish } },
    };

    private static async Task Frame(HttpContext context, object payload)
    {
        await context.Response.WriteAsync("data: " + JsonSerializer.Serialize(payload) + "\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private IResult? Authorized(HttpContext context)
    {
        var presented = AuthHeader == "Authorization"
            ? context.Request.Headers.Authorization.ToString() is var h && h.StartsWith("Bearer ") ? h["Bearer ".Length..] : null
            : context.Request.Headers[AuthHeader].ToString();
        return presented == apiKey ? null : Error(401, "Incorrect API key provided.", "invalid_api_key");
    }

    private static IResult Error(int status, string message, string code) =>
        Results.Json(new { error = new { message, type = "invalid_request_error", param = (string?)null, code } }, statusCode: status);
}
