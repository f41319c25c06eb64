using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Completions;

/// <summary>Writes <c>text/event-stream</c> frames (<c>data: …</c>), each flushed at once so tokens reach the client as they arrive.</summary>
public sealed class ServerSentEventWriter(HttpResponse response)
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    // One JSON writer per stream, pointed at the response buffer again for each frame.
    private Utf8JsonWriter? _writer;

    private readonly JsonSerializerOptions _json = response.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // Proxies such as nginx would otherwise hold the frames back.
        response.Headers["X-Accel-Buffering"] = "no";
        response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(cancellationToken);
    }

    public Task WriteAsync<T>(T payload, CancellationToken cancellationToken) => WriteAsync(null, payload, cancellationToken);

    /// <summary>
    /// A frame with an <c>event:</c> name (none: the default "message" event, as OpenAI streams use). The frame is
    /// written straight into the response's buffer (prefix, JSON, blank line) and flushed: nothing is allocated per
    /// token here but what the payload itself is.
    /// </summary>
    public Task WriteAsync<T>(string? eventName, T payload, CancellationToken cancellationToken)
    {
        JsonSerializer.Serialize(BeginFrame(eventName), payload, _json);
        return EndFrameAsync(cancellationToken);
    }

    /// <summary>A frame whose data is <c>{"<paramref name="name"/>": "<paramref name="value"/>"}</c>: a token, without an object built for it.</summary>
    public Task WriteStringAsync(string? eventName, string name, string value, CancellationToken cancellationToken)
    {
        var writer = BeginFrame(eventName);
        writer.WriteStartObject();
        writer.WriteString(name, value);
        writer.WriteEndObject();
        return EndFrameAsync(cancellationToken);
    }

    private Utf8JsonWriter BeginFrame(string? eventName)
    {
        var body = response.BodyWriter;
        if (eventName is not null)
        {
            body.Write("event: "u8);
            Encoding.UTF8.GetBytes(eventName, body);
            body.Write("\n"u8);
        }
        body.Write("data: "u8);
        if (_writer is null)
        {
            _writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = _json.Encoder, Indented = _json.WriteIndented });
        }
        else
        {
            _writer.Reset(body);
        }
        return _writer;
    }

    private async Task EndFrameAsync(CancellationToken cancellationToken)
    {
        var body = response.BodyWriter;
        _writer!.Flush();
        body.Write("\n\n"u8);
        await body.FlushAsync(cancellationToken);
    }

    public async Task WriteDoneAsync(CancellationToken cancellationToken)
    {
        response.BodyWriter.Write(Done);
        await response.BodyWriter.FlushAsync(cancellationToken);
    }
}
