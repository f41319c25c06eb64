using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mcp.Cluster.Tests.WireServers;

/// <summary>
/// Speaks the Hugging Face Inference API task format on <c>POST /models/{owner}/{model}</c>
/// (<c>{"inputs", "parameters"}</c>): text-classification for <c>test/classifier</c>, text-generation (plain and
/// SSE with <c>stream: true</c>) for <c>test/generator</c>, feature-extraction for <c>test/embedder</c> (sentence
/// vectors) and <c>test/token-embedder</c> (per-token vectors). The root (<c>POST /</c>, <c>GET /health</c>) acts as
/// a Text Generation Inference server, and <c>GET /api/models/{id}</c> as the Hub.
/// A model answers 503 "is currently loading" <see cref="LoadingRequests"/> times first, as cold models do.
/// Inputs containing <see cref="RejectMarker"/> are refused with 422, as TGI refuses too many input tokens.
/// </summary>
public sealed class HuggingFaceWireServer(string token = "hf_test") : WireServer
{
    public const string RejectMarker = "[[reject-input]]";

    public int LoadingRequests;

    protected override void MapRoutes(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/models/{owner}/{model}", (string owner, string model) =>
            owner == "test" ? Results.Json(new { id = $"{owner}/{model}", pipeline_tag = "text-classification" })
                : Results.Json(new { error = "Repository not found" }, statusCode: 404));

        routes.MapPost("/models/{owner}/{model}", async (string owner, string model, HttpContext context) =>
        {
            if (Unauthorized(context) is { } denied)
            {
                return denied;
            }
            if (Interlocked.Decrement(ref LoadingRequests) >= 0)
            {
                return Results.Json(new { error = $"Model {owner}/{model} is currently loading", estimated_time = 0.1 }, statusCode: 503);
            }
            var request = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
            var inputs = request?["inputs"];
            if (inputs?.ToJsonString().Contains(RejectMarker, StringComparison.Ordinal) == true)
            {
                return TooManyTokens();
            }
            switch (model)
            {
                case "classifier":
                {
                    var texts = Texts(inputs);
                    var results = texts.Select(Classify).ToArray();
                    // The API nests one list per input, also for a single input.
                    return Results.Json(results);
                }
                case "generator":
                    return await GenerateAsync(context, request!);
                case "embedder":
                {
                    var vectors = Texts(inputs).Select(t => OpenAiWireServer.Vector(t, 4)).ToArray();
                    return inputs is JsonArray ? Results.Json(vectors) : Results.Json(vectors[0]);
                }
                case "token-embedder":
                    return Results.Json(Texts(inputs).Select(t => t.Split(' ').Select(w => OpenAiWireServer.Vector(w, 4)).ToArray()).ToArray());
                default:
                    return Results.Json(new { error = $"Model {owner}/{model} does not exist" }, statusCode: 404);
            }
        });

        // Text Generation Inference: same payload on the root, plus /health.
        routes.MapGet("/health", () => Results.Ok());
        routes.MapPost("/", async (HttpContext context) =>
            Unauthorized(context) ?? await GenerateAsync(context, (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!));
    }

    private static IResult TooManyTokens() => Results.Json(
        new { error = "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 2048.", error_type = "validation" }, statusCode: 422);

    private static async Task<IResult> GenerateAsync(HttpContext context, JsonObject request)
    {
        var prompt = request["inputs"]!.GetValue<string>();
        if (prompt.Contains(RejectMarker, StringComparison.Ordinal))
        {
            return TooManyTokens();
        }
        var parameters = request["parameters"] as JsonObject;
        var max = parameters?["max_new_tokens"]?.GetValue<int>() ?? 20;
        var words = ("generated from " + prompt).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var finish = "eos_token";
        if (words.Length > max)
        {
            words = words[..max];
            finish = "length";
        }
        if (request["stream"]?.GetValue<bool>() == true)
        {
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < words.Length; i++)
            {
                var last = i == words.Length - 1;
                var frame = new
                {
                    index = i + 1,
                    token = new { id = i, text = (i == 0 ? "" : " ") + words[i], logprob = -0.1, special = false },
                    generated_text = last ? string.Join(' ', words) : null,
                    details = last ? new { finish_reason = finish, generated_tokens = words.Length, seed = (int?)null } : null,
                };
                await context.Response.WriteAsync("data:" + JsonSerializer.Serialize(frame) + "\n\n");
                await context.Response.Body.FlushAsync();
            }
            return Results.Empty;
        }
        return Results.Json(new[] { new { generated_text = string.Join(' ', words) } });
    }

    private static string[] Texts(JsonNode? inputs) => inputs switch
    {
        JsonArray array => array.Select(i => i!.GetValue<string>()).ToArray(),
        JsonValue value => [value.GetValue<string>()],
        _ => [],
    };

    private static object[] Classify(string text)
    {
        var positive = text.Contains("good", StringComparison.OrdinalIgnoreCase) ? 0.95 : 0.1;
        return [new { label = "POSITIVE", score = positive }, new { label = "NEGATIVE", score = 1 - positive }];
    }

    private IResult? Unauthorized(HttpContext context) =>
        context.Request.Headers.Authorization.ToString() == "Bearer " + token
            ? null
            : Results.Json(new { error = "Invalid credentials in Authorization header" }, statusCode: 401);
}
