using System.Buffers;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Mcp.Cluster.Models.Backends.OpenAi;

/// <summary>
/// A streamed chat completion, sent over the backend's HTTP client (the shared handler and its retry policy) and read
/// as Server-Sent Events here. The OpenAI library's typed streaming keeps the request's messages, the library's
/// request and update objects and an 8 KB read buffer alive per stream, and builds an object graph per token; a
/// gateway holding thousands of streams open pays for each of those. Here a stream holds its response and a small
/// parser buffer, and a token costs its text.
/// </summary>
public sealed class OpenAiChatStream(HttpClient http, Uri chatCompletions, string providerModel, IReadOnlyDictionary<string, string> headers)
{
    private static readonly SseItemParser<StreamEvent> ParseEvent = (_, data) => StreamEvent.Parse(data);

    public async IAsyncEnumerable<TextGenerationChunk> StreamAsync(TextGenerationRequest request, int? maxTokens, double? temperature,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, chatCompletions)
        {
            Content = new ByteArrayContent(Body(request, maxTokens, temperature)),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        foreach (var (name, value) in headers)
        {
            OutboundHeaders.Add(message, name, value);
        }
        using var response = await ProviderHttp.SendAsync(http, message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        // The body was sent; the response would otherwise keep it (the prompt) alive as long as the stream runs.
        message.Content.Dispose();
        message.Content = null;
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);

        string? finish = null;
        TokenUsage? usage = null;
        var events = SseParser.Create(body, ParseEvent).EnumerateAsync(cancellationToken);
        await using var enumerator = events.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            StreamEvent item;
            try
            {
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }
                item = enumerator.Current.Data;
            }
            catch (Exception e) when (e is JsonException or HttpRequestException or IOException)
            {
                throw new ModelBackendException($"The stream from the provider broke off: {e.Message}", inner: e);
            }
            if (item.Error is { } error)
            {
                throw new ModelBackendException($"The provider reported an error mid-stream: {error}");
            }
            if (item.Done)
            {
                break;
            }
            if (!string.IsNullOrEmpty(item.Text))
            {
                yield return new TextGenerationChunk(item.Text);
            }
            finish = item.FinishReason ?? finish;
            usage = item.Usage ?? usage;
        }
        if (finish is null)
        {
            throw new ModelBackendException("The provider ended the stream without a finish reason.");
        }
        yield return new TextGenerationChunk("", finish, usage);
    }

    private byte[] Body(TextGenerationRequest request, int? maxTokens, double? temperature)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (request.Prompt?.Length ?? request.Messages.Sum(m => m.Content.Length + 32)));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", providerModel);
            json.WriteStartArray("messages");
            if (request.Prompt is not null)
            {
                WriteMessage(json, "user", request.Prompt);
            }
            else
            {
                foreach (var m in request.Messages)
                {
                    WriteMessage(json, m.Role is "system" or "assistant" ? m.Role : "user", m.Content);
                }
            }
            json.WriteEndArray();
            json.WriteBoolean("stream", true);
            json.WriteStartObject("stream_options");
            json.WriteBoolean("include_usage", true);
            json.WriteEndObject();
            if (maxTokens is { } max)
            {
                json.WriteNumber("max_completion_tokens", max);
            }
            if (temperature is { } t)
            {
                json.WriteNumber("temperature", t);
            }
            if (request.TopP is { } p)
            {
                json.WriteNumber("top_p", p);
            }
            if (request.Stop is { Count: > 0 } stop)
            {
                json.WriteStartArray("stop");
                foreach (var s in stop)
                {
                    json.WriteStringValue(s);
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteMessage(Utf8JsonWriter json, string role, string content)
    {
        json.WriteStartObject();
        json.WriteString("role", role);
        json.WriteString("content", content);
        json.WriteEndObject();
    }

    /// <summary>One <c>chat.completion.chunk</c> (only what the gateway uses), the <c>[DONE]</c> marker or an error event.</summary>
    private readonly record struct StreamEvent(string? Text, string? FinishReason, TokenUsage? Usage, string? Error, bool Done)
    {
        public static StreamEvent Parse(ReadOnlySpan<byte> data)
        {
            if (data.SequenceEqual("[DONE]"u8))
            {
                return new StreamEvent(null, null, null, null, Done: true);
            }
            var reader = new Utf8JsonReader(data);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("A stream event is not a JSON object.");
            }
            string? text = null, finish = null, error = null;
            TokenUsage? usage = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        // One answer is asked for, so the first choice is the one.
                        var first = true;
                        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                        {
                            if (first)
                            {
                                (text, finish) = ReadChoice(ref reader);
                                first = false;
                            }
                            else
                            {
                                reader.Skip();
                            }
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    usage = reader.TokenType == JsonTokenType.StartObject ? ReadUsage(ref reader) : null;
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    error = reader.TokenType == JsonTokenType.StartObject ? ReadErrorMessage(ref reader) : reader.TokenType == JsonTokenType.String ? reader.GetString() : "unknown error";
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return new StreamEvent(text, finish, usage, error, Done: false);
        }

        private static (string? Text, string? Finish) ReadChoice(ref Utf8JsonReader reader)
        {
            string? text = null, finish = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("delta"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isContent = reader.ValueTextEquals("content"u8);
                        reader.Read();
                        if (isContent && reader.TokenType == JsonTokenType.String)
                        {
                            text = reader.GetString();
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    reader.Read();
                    finish = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return (text, finish);
        }

        private static TokenUsage ReadUsage(ref Utf8JsonReader reader)
        {
            int prompt = 0, completion = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isPrompt = reader.ValueTextEquals("prompt_tokens"u8);
                var isCompletion = reader.ValueTextEquals("completion_tokens"u8);
                reader.Read();
                if (isPrompt && reader.TokenType == JsonTokenType.Number)
                {
                    prompt = reader.GetInt32();
                }
                else if (isCompletion && reader.TokenType == JsonTokenType.Number)
                {
                    completion = reader.GetInt32();
                }
                else
                {
                    reader.Skip();
                }
            }
            return new TokenUsage(prompt, completion);
        }

        private static string ReadErrorMessage(ref Utf8JsonReader reader)
        {
            var message = "unknown error";
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMessage = reader.ValueTextEquals("message"u8);
                reader.Read();
                if (isMessage && reader.TokenType == JsonTokenType.String)
                {
                    message = reader.GetString() ?? message;
                }
                else
                {
                    reader.Skip();
                }
            }
            return message;
        }
    }
}
