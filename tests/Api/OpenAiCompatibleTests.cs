using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Api;

/// <summary>The /v1 surface, driven with raw HTTP so every byte of OpenAI's wire format is checked.</summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class OpenAiCompatibleTests(SharedGatewayFactory gateway) : IAsyncLifetime
{
    private readonly OpenAiWireServer _upstream = new("sk-upstream", "gpt-test", "embed-test");
    private string _chatModel = "";
    private string _embedModel = "";

    public async Task InitializeAsync()
    {
        await _upstream.StartAsync();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        _chatModel = $"chat-{Guid.NewGuid():N}"[..20];
        _embedModel = $"embed-{Guid.NewGuid():N}"[..20];
        await admin.RegisterModelAsync(new
        {
            name = _chatModel,
            provider = "openai",
            config = new { base_url = _upstream.V1.ToString(), api_key = "sk-upstream", provider_model = "gpt-test", max_retries = 0 },
        });
        await admin.RegisterModelAsync(new
        {
            name = _embedModel,
            provider = "openai",
            config = new { base_url = _upstream.V1.ToString(), api_key = "sk-upstream", provider_model = "embed-test", task = "embedding" },
        });
    }

    public Task DisposeAsync() => _upstream.DisposeAsync().AsTask();

    private async Task<HttpClient> ClientAsync(long? tokens = null)
    {
        var (_, key) = await gateway.CreateKeyAsync(new
        {
            owner = "openai-" + Guid.NewGuid().ToString("N")[..8],
            permissions = new[] { "read", "execute" },
            rate_limit = "1000/minute",
            tokens_per_minute = tokens,
        });
        return gateway.CreateBearerClient(key);
    }

    private object Chat(string content, bool stream = false, int? maxTokens = null, string? model = null) => new
    {
        model = model ?? _chatModel,
        messages = new object[] { new { role = "system", content = "be brief" }, new { role = "user", content } },
        stream,
        stream_options = stream ? new { include_usage = true } : null,
        max_tokens = maxTokens,
        user = "ignored-by-the-gateway",
    };

    private static async Task<List<string>> ReadEventsAsync(HttpResponseMessage response)
    {
        var events = new List<string>();
        await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync())
        {
            events.Add(item.Data);
        }
        return events;
    }

    [Fact]
    public async Task Chat_completion_answers_in_openai_format_with_usage()
    {
        using var client = await ClientAsync();
        using var response = await client.PostAsJsonAsync("/v1/chat/completions", Chat("hello there"));

        var body = await response.AssertOkAsync();
        Assert.StartsWith("chatcmpl-", body.GetProperty("id").GetString());
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal(_chatModel, body.GetProperty("model").GetString());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("echo: hello there", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(3, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(4, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(7, body.GetProperty("usage").GetProperty("total_tokens").GetInt32());

        // The same completion record as /completions keeps: readable by id afterwards.
        var record = await client.GetJsonAsync($"/completions/{body.GetProperty("id").GetString()}");
        Assert.Equal("completed", record.GetProperty("status").GetString());
        Assert.Equal("echo: hello there", record.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Streaming_sends_chunks_then_usage_then_done()
    {
        using var client = await ClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(Chat("one two three four", stream: true)) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await ReadEventsAsync(response);
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events.SkipLast(1).Select(e => JsonDocument.Parse(e).RootElement).ToArray();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        var text = string.Concat(chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Select(d => d.TryGetProperty("content", out var content) ? content.GetString() : ""));
        Assert.Equal("echo: one two three four", text);
        Assert.True(chunks.Length >= 7, "one chunk per word, not one block");
        var finish = chunks.Single(c => c.GetProperty("choices").GetArrayLength() > 0 && c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind == JsonValueKind.String);
        Assert.Equal("stop", finish.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(5, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task An_upstream_cut_mid_stream_ends_with_an_error_event_not_a_quiet_close()
    {
        await using var flaky = new OpenAiWireServer("sk-flaky") { CutStreamAfter = 2 };
        await flaky.StartAsync();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(new
        {
            name = $"flaky-{Guid.NewGuid():N}"[..20],
            provider = "openai",
            config = new { base_url = flaky.V1.ToString(), api_key = "sk-flaky", provider_model = "gpt-test", max_retries = 0 },
        });
        using var client = await ClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(Chat("a b c d e f g", stream: true, model: id)) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        var events = await ReadEventsAsync(response);
        Assert.NotEqual("[DONE]", events[^1]);
        var error = JsonDocument.Parse(events[^1]).RootElement.GetProperty("error");
        Assert.Equal("model_error", error.GetProperty("code").GetString());
        Assert.Contains("stream", error.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(events, e => e.Contains("\"content\":\"echo:\""));
    }

    [Fact]
    public async Task Errors_use_openai_shape_on_v1_routes()
    {
        using var client = await ClientAsync();
        using (var missing = await client.PostAsJsonAsync("/v1/chat/completions", Chat("x", model: "no-such-model")))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            var error = (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
            Assert.Equal("model_not_found", error.GetProperty("code").GetString());
            Assert.Equal("model", error.GetProperty("param").GetString());
        }
        using (var bad = await client.PostAsJsonAsync("/v1/chat/completions", new { model = _chatModel, messages = Array.Empty<object>() }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("messages", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("param").GetString());
        }
        using (var typed = await client.PostAsJsonAsync("/v1/chat/completions", new { model = _chatModel, messages = new[] { new { role = "user", content = "x" } }, max_tokens = "lots", n = "one" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, typed.StatusCode);
        }
        using (var tools = await client.PostAsJsonAsync("/v1/chat/completions", new { model = _chatModel, messages = new[] { new { role = "user", content = "x" } }, tools = new[] { new { type = "function" } } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tools.StatusCode);
            Assert.Contains("tools", (await tools.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("message").GetString());
        }
        using var anonymous = gateway.CreateClient();
        using (var unauthorized = await anonymous.PostAsJsonAsync("/v1/chat/completions", Chat("x")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
            Assert.Equal("invalid_api_key", (await unauthorized.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
        }
        using (var malformed = await client.PostAsync("/v1/chat/completions", new StringContent("{", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            Assert.Equal("invalid_request", (await malformed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task Embeddings_in_float_and_base64()
    {
        using var client = await ClientAsync();
        using var floats = await client.PostAsJsonAsync("/v1/embeddings", new { model = _embedModel, input = new[] { "alpha", "beta" } });
        using var packed = await client.PostAsJsonAsync("/v1/embeddings", new { model = _embedModel, input = "alpha", encoding_format = "base64" });

        var f = await floats.AssertOkAsync();
        Assert.Equal("list", f.GetProperty("object").GetString());
        Assert.Equal(OpenAiWireServer.Vector("beta"), f.GetProperty("data")[1].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal(1, f.GetProperty("data")[1].GetProperty("index").GetInt32());
        var b = await packed.AssertOkAsync();
        var bytes = Convert.FromBase64String(b.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        Assert.Equal(OpenAiWireServer.Vector("alpha"), Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToSingle(bytes, i * 4)));

        // The built-in sentiment model classifies; it cannot embed.
        using (var numeric = await client.PostAsJsonAsync("/v1/embeddings", new { model = 5, input = "x" }))
        {
            Assert.Equal("model", (await numeric.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("param").GetString());
        }
        using var wrongModel = await client.PostAsJsonAsync("/v1/embeddings", new { model = "mod_builtin_sentiment_v1", input = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, wrongModel.StatusCode);
        Assert.Contains("does not embed", (await wrongModel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Models_are_listed_in_openai_format()
    {
        using var client = await ClientAsync();
        var list = await client.GetJsonAsync("/v1/models");

        Assert.Equal("list", list.GetProperty("object").GetString());
        Assert.Contains(list.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == $"{_chatModel}@1.0.0" && m.GetProperty("object").GetString() == "model");
    }

    [Fact]
    public async Task A_model_has_the_same_id_in_the_list_and_when_retrieved_by_any_reference()
    {
        using var client = await ClientAsync();
        var listed = (await client.GetJsonAsync("/v1/models")).GetProperty("data").EnumerateArray()
            .Select(m => m.GetProperty("id").GetString()!).ToList();
        // What OpenAI's client does: models.retrieve(id) with an id from the list gets that id back.
        foreach (var id in listed)
        {
            Assert.Equal(id, (await client.GetJsonAsync($"/v1/models/{Uri.EscapeDataString(id)}")).GetProperty("id").GetString());
        }
        // A bare name, an alias and the model id answer the version they resolve to, under its listed id.
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var modelId = await admin.RegisterModelAsync(new
        {
            name = _chatModel,
            version = "2.0.0",
            provider = "openai",
            config = new { base_url = _upstream.V1.ToString(), api_key = "sk-upstream", provider_model = "gpt-test", max_retries = 0 },
        });
        Assert.Contains($"{_chatModel}@2.0.0", (await client.GetJsonAsync("/v1/models")).GetProperty("data").EnumerateArray()
            .Select(m => m.GetProperty("id").GetString()));
        foreach (var reference in new[] { _chatModel, $"{_chatModel}@latest", modelId, $"{_chatModel}@2.0.0" })
        {
            var model = await client.GetJsonAsync($"/v1/models/{Uri.EscapeDataString(reference)}");
            Assert.Equal($"{_chatModel}@2.0.0", model.GetProperty("id").GetString());
            Assert.Equal("model", model.GetProperty("object").GetString());
        }
        Assert.Equal($"{_chatModel}@1.0.0", (await client.GetJsonAsync($"/v1/models/{_chatModel}@1.0.0")).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Concurrent_streams_never_exceed_the_token_quota()
    {
        // Each request reserves about what it really uses (prompt estimate plus max_tokens 5), so admitting one request
        // too many would show up as real use over the quota.
        using var client = await ClientAsync(tokens: 90);
        var content = string.Join(' ', Enumerable.Repeat("ab", 20));
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = JsonContent.Create(new
                {
                    model = _chatModel,
                    messages = new[] { new { role = "user", content } },
                    stream = true,
                    stream_options = new { include_usage = true },
                    max_tokens = 5,
                }),
            };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
                Assert.Equal("token_quota_exceeded", error.GetProperty("code").GetString());
                Assert.NotNull(response.Headers.RetryAfter);
                return 0L;
            }
            var events = await ReadEventsAsync(response);
            Assert.Equal("[DONE]", events[^1]);
            return JsonDocument.Parse(events[^2]).RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt64();
        }));

        var served = results.Count(r => r > 0);
        Assert.InRange(served, 1, 11);
        var usage = await client.GetJsonAsync($"/api/keys/me");
        var keyId = usage.GetProperty("key_id").GetString();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var tokens = (await admin.GetJsonAsync($"/api/keys/{keyId}/usage")).GetProperty("tokens");
        Assert.True(tokens.GetProperty("this_minute").GetInt64() <= 90, tokens.GetRawText());
        Assert.True(results.Sum() <= 90, $"{results.Sum()} tokens used against a quota of 90");
        Assert.Equal(results.Sum(), tokens.GetProperty("prompt_tokens").GetInt64() + tokens.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(90, tokens.GetProperty("per_minute").GetInt64());
    }
}
