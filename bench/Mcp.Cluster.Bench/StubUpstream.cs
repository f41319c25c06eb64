using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.Bench;

/// <summary>
/// <c>stub-upstream --port N</c>: the OpenAI upstream of the proxy bench, in a process of its own so its CPU is never
/// counted as the proxy's. It answers <c>POST /v1/chat/completions</c> with one fixed, well-formed chat completion and
/// <c>GET /v1/models</c> with the model list (the gateway's health check). Deliberately leaner than the tests'
/// OpenAiWireServer, which records every request (memory that grows with millions of requests) and parses each body:
/// on a 2-core machine every microsecond the stub spends is taken from the proxy under test.
/// </summary>
public static class StubUpstream
{
    public const string ApiKey = "sk-bench";
    public const string Model = "gpt-bench";

    private static readonly byte[] Completion = Encoding.UTF8.GetBytes(
        $$$"""{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"{{{Model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"echo: Say hello in one word"},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":5,"completion_tokens":6,"total_tokens":11}}""");

    private static readonly byte[] Stream = Encoding.UTF8.GetBytes(StreamText());

    private static readonly byte[] Models = Encoding.UTF8.GetBytes(
        $$$"""{"object":"list","data":[{"id":"{{{Model}}}","object":"model","created":1700000000,"owned_by":"bench"}]}""");

    private static readonly byte[] Unauthorized = Encoding.UTF8.GetBytes(
        """{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""");

    public static async Task RunAsync(string[] args)
    {
        var port = int.Parse(BenchArguments.Value(args, "--port") ?? throw new ArgumentException("--port is required"));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(async context =>
        {
            var path = context.Request.Path.Value;
            if (path == "/")
            {
                context.Response.StatusCode = StatusCodes.Status200OK;
                return;
            }
            if (context.Request.Headers.Authorization.ToString() != "Bearer " + ApiKey)
            {
                await WriteAsync(context, StatusCodes.Status401Unauthorized, Unauthorized);
                return;
            }
            if (HttpMethods.IsPost(context.Request.Method) && path == "/v1/chat/completions")
            {
                // The body is read to its end, as a real upstream would, but only searched for the stream flag.
                var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                var streamed = body.GetBuffer().AsSpan(0, (int)body.Length).IndexOf("\"stream\":true"u8) >= 0;
                await WriteAsync(context, StatusCodes.Status200OK, streamed ? Stream : Completion, streamed ? "text/event-stream" : "application/json");
            }
            else if (HttpMethods.IsGet(context.Request.Method) && path == "/v1/models")
            {
                await WriteAsync(context, StatusCodes.Status200OK, Models);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        });
        await app.RunAsync();
    }

    /// <summary>
    /// The same answer streamed as OpenAI streams it (our gateway reads every chat completion as a stream): a role
    /// chunk, one chunk per word, the finish chunk, the usage chunk (<c>stream_options.include_usage</c>) and <c>[DONE]</c>.
    /// </summary>
    private static string StreamText()
    {
        const string head = $$$"""{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"{{{Model}}}","choices":""";
        var frames = new List<string> { head + """[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""" };
        var words = "echo: Say hello in one word".Split(' ');
        frames.AddRange(words.Select((w, i) => head + $$"""[{"index":0,"delta":{"content":"{{(i == 0 ? w : " " + w)}}"},"finish_reason":null}]}"""));
        frames.Add(head + """[{"index":0,"delta":{},"finish_reason":"stop"}]}""");
        frames.Add(head + """[],"usage":{"prompt_tokens":5,"completion_tokens":6,"total_tokens":11}}""");
        frames.Add("[DONE]");
        return string.Concat(frames.Select(f => $"data: {f}\n\n"));
    }

    private static Task WriteAsync(HttpContext context, int status, byte[] body, string contentType = "application/json")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, 0, body.Length);
    }
}
