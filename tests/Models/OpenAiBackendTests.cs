using System.Text.Json;
using System.Text.Json.Nodes;
using Mcp.Cluster.Models.Backends;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Models;

[Trait("Tier", "Unit")]
public sealed class OpenAiBackendTests : IAsyncLifetime
{
    private readonly OpenAiWireServer _server = new("sk-test", "gpt-test", "embed-test");

    public Task InitializeAsync() => _server.StartAsync();

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    private ModelBackend Backend(object? extra = null, int maxRetries = 2)
    {
        var config = new JsonObject
        {
            ["base_url"] = _server.V1.ToString(),
            ["api_key"] = "sk-test",
            ["provider_model"] = "gpt-test",
        };
        if (extra is not null)
        {
            foreach (var (key, value) in JsonSerializer.SerializeToNode(extra)!.AsObject())
            {
                config[key] = value?.DeepClone();
            }
        }
        return BackendHarness.Create("openai", config, maxRetries: maxRetries);
    }

    [Fact]
    public async Task Chat_sends_model_key_and_max_tokens_and_returns_text_with_usage()
    {
        await using var backend = Backend();
        var result = await backend.GenerateAsync(
            new TextGenerationRequest([new("system", "be brief"), new("user", "hello there friend")], MaxTokens: 3), default);

        Assert.Equal("echo: hello there", result.Text);
        Assert.Equal("length", result.FinishReason);
        Assert.Equal(new TokenUsage(5, 3), result.Usage);
        var sent = Assert.Single(_server.Requests, r => r.Path == "/v1/chat/completions");
        Assert.Equal("Bearer sk-test", sent.Headers["Authorization"]);
        var body = JsonNode.Parse(sent.Body)!;
        Assert.Equal("gpt-test", body["model"]!.GetValue<string>());
        Assert.Equal(3, (body["max_completion_tokens"] ?? body["max_tokens"])!.GetValue<int>());
        Assert.Equal("system", body["messages"]![0]!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task Completion_is_sent_as_a_single_user_turn()
    {
        await using var backend = Backend();
        var result = await backend.GenerateAsync(new TextGenerationRequest([], Prompt: "complete me"), default);

        Assert.Equal("echo: complete me", result.Text);
        Assert.Equal("stop", result.FinishReason);
    }

    [Fact]
    public async Task Streaming_yields_tokens_as_they_arrive_then_finish_and_usage()
    {
        await using var backend = Backend();
        var chunks = new List<TextGenerationChunk>();
        await foreach (var chunk in backend.StreamAsync(new TextGenerationRequest([new("user", "one two three")]), default))
        {
            chunks.Add(chunk);
        }

        Assert.True(backend.SupportsStreaming);
        Assert.Equal("echo: one two three", string.Concat(chunks.Select(c => c.Text)));
        Assert.True(chunks.Count(c => c.Text.Length > 0) >= 4, "expected one chunk per word");
        var last = chunks[^1];
        Assert.Equal("stop", last.FinishReason);
        Assert.Equal(4, last.Usage!.CompletionTokens);
    }

    [Fact]
    public async Task Stream_cut_by_the_upstream_raises_an_error_instead_of_ending_quietly()
    {
        _server.CutStreamAfter = 2;
        await using var backend = Backend();
        var received = new List<string>();

        var error = await Assert.ThrowsAsync<ModelBackendException>(async () =>
        {
            await foreach (var chunk in backend.StreamAsync(new TextGenerationRequest([new("user", "a b c d e f")]), default))
            {
                received.Add(chunk.Text);
            }
        });

        Assert.NotEmpty(received);
        Assert.Contains("stream", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_streamed_request_carries_the_settings_and_asks_for_usage()
    {
        await using var backend = Backend(new { temperature = 0.5, max_tokens = 7 });
        await foreach (var _ in backend.StreamAsync(new TextGenerationRequest([new("system", "be brief"), new("assistant", "ok"), new("user", "go")],
            TopP: 0.9, Stop: ["END"]), default))
        {
        }

        var request = Assert.Single(_server.Requests, r => r.Path == "/v1/chat/completions");
        Assert.Equal("Bearer sk-test", request.Headers["Authorization"]);
        var sent = JsonNode.Parse(request.Body)!;
        Assert.Equal("gpt-test", sent["model"]!.GetValue<string>());
        Assert.True(sent["stream"]!.GetValue<bool>());
        Assert.True(sent["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.Equal(7, sent["max_completion_tokens"]!.GetValue<int>());
        Assert.Equal(0.5, sent["temperature"]!.GetValue<double>());
        Assert.Equal(0.9, sent["top_p"]!.GetValue<double>());
        Assert.Equal("END", sent["stop"]![0]!.GetValue<string>());
        Assert.Equal(["system", "assistant", "user"], sent["messages"]!.AsArray().Select(m => m!["role"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_refused_stream_is_a_provider_error_with_its_status_and_message()
    {
        await using var backend = Backend(new { api_key = "sk-wrong" });

        var error = await Assert.ThrowsAsync<ModelBackendException>(async () =>
        {
            await foreach (var _ in backend.StreamAsync(new TextGenerationRequest([new("user", "hi")]), default))
            {
            }
        });

        Assert.Equal(401, error.UpstreamStatus);
        Assert.Contains("Incorrect API key", error.Message);
    }

    [Fact]
    public async Task Embeddings_round_trip_through_the_base64_encoding_the_library_asks_for()
    {
        await using var backend = Backend(new { provider_model = "embed-test" });
        var result = await backend.EmbedAsync(["alpha", "beta gamma"], default);

        Assert.Equal(2, result.Vectors.Count);
        Assert.Equal(OpenAiWireServer.Vector("alpha"), result.Vectors[0]);
        Assert.Equal(OpenAiWireServer.Vector("beta gamma"), result.Vectors[1]);
        Assert.Equal(3, result.Usage!.PromptTokens);
    }

    [Fact]
    public async Task Rate_limited_calls_are_retried_after_the_Retry_After_delay()
    {
        _server.RateLimitNext = 1;
        await using var backend = Backend();

        var result = await backend.GenerateAsync(new TextGenerationRequest([new("user", "hi")]), default);

        Assert.Equal("echo: hi", result.Text);
        var attempts = _server.Requests.Where(r => r.Path == "/v1/chat/completions").ToArray();
        Assert.Equal(2, attempts.Length);
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromMilliseconds(900),
            $"second attempt came {(attempts[1].At - attempts[0].At).TotalMilliseconds} ms after the first; Retry-After said 1 s");
    }

    [Fact]
    public async Task Without_retries_a_rate_limit_surfaces_as_a_provider_error()
    {
        _server.RateLimitNext = 1;
        await using var backend = Backend(maxRetries: 0);

        var error = await Assert.ThrowsAsync<ModelBackendException>(() =>
            backend.GenerateAsync(new TextGenerationRequest([new("user", "hi")]), default));

        Assert.Equal(429, error.UpstreamStatus);
        Assert.Single(_server.Requests, r => r.Path == "/v1/chat/completions");
    }

    [Fact]
    public async Task Transient_server_errors_are_retried_with_backoff()
    {
        _server.FailNext = 2;
        await using var backend = Backend();

        var result = await backend.GenerateAsync(new TextGenerationRequest([new("user", "again")]), default);

        Assert.Equal("echo: again", result.Text);
        Assert.Equal(3, _server.Count("/v1/chat/completions"));
    }

    [Fact]
    public async Task A_wrong_key_is_a_provider_error_with_its_status()
    {
        await using var backend = Backend(new { api_key = "sk-wrong" });

        var error = await Assert.ThrowsAsync<ModelBackendException>(() =>
            backend.GenerateAsync(new TextGenerationRequest([new("user", "hi")]), default));

        Assert.Equal(401, error.UpstreamStatus);
        Assert.Contains("Incorrect API key", error.Message);
    }

    [Fact]
    public async Task Azure_style_api_key_header_replaces_the_bearer_token()
    {
        _server.AuthHeader = "api-key";
        await using var backend = Backend(new { api_key_header = "api-key" });

        var result = await backend.GenerateAsync(new TextGenerationRequest([new("user", "azure")]), default);

        Assert.Equal("echo: azure", result.Text);
        var sent = Assert.Single(_server.Requests, r => r.Path == "/v1/chat/completions");
        Assert.Equal("sk-test", sent.Headers["api-key"]);
        Assert.False(sent.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task Health_checks_that_the_endpoint_serves_the_model()
    {
        await using var healthy = Backend();
        await using var missing = Backend(new { provider_model = "gpt-other" });

        Assert.True((await healthy.CheckHealthAsync(default)).Healthy);
        var failed = await missing.CheckHealthAsync(default);
        Assert.False(failed.Healthy);
        Assert.Contains("gpt-other", failed.Detail);

        _server.Down = true;
        await using var down = Backend(maxRetries: 0);
        var outage = await down.CheckHealthAsync(default);
        Assert.False(outage.Healthy);
        Assert.Contains("503", outage.Detail);
    }

    [Fact]
    public async Task Cancellation_reaches_the_upstream_call()
    {
        _server.Delay = TimeSpan.FromSeconds(10);
        await using var backend = Backend();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = DateTimeOffset.UtcNow;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            backend.GenerateAsync(new TextGenerationRequest([new("user", "slow")]), cancel.Token));

        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Http2_prior_knowledge_talks_to_a_cleartext_http2_only_server()
    {
        await using var h2 = new OpenAiWireServer("sk-test") { Http2Only = true };
        await h2.StartAsync();
        var config = new JsonObject { ["base_url"] = h2.V1.ToString(), ["api_key"] = "sk-test", ["provider_model"] = "gpt-test", ["http2_prior_knowledge"] = true };
        await using var backend = BackendHarness.Create("openai", config, http2PriorKnowledge: true);

        var result = await backend.GenerateAsync(new TextGenerationRequest([new("user", "over h2c")]), default);
        Assert.Equal("echo: over h2c", result.Text);
        Assert.Equal("HTTP/2", Assert.Single(h2.Requests, r => r.Path == "/v1/chat/completions").Protocol);

        // Without prior knowledge the client speaks HTTP/1.1, which such a server refuses.
        await using var http1 = BackendHarness.Create("openai", config, maxRetries: 0);
        await Assert.ThrowsAnyAsync<Exception>(() => http1.GenerateAsync(new TextGenerationRequest([new("user", "x")]), default));
    }
}
