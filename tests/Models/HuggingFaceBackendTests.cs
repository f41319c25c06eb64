using System.Text.Json.Nodes;
using Mcp.Cluster.Models.Backends;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Models;

[Trait("Tier", "Unit")]
public sealed class HuggingFaceBackendTests : IAsyncLifetime
{
    private readonly HuggingFaceWireServer _server = new("hf_test");

    public Task InitializeAsync() => _server.StartAsync();

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    private ModelBackend Backend(string model, JsonObject? extra = null)
    {
        var config = new JsonObject
        {
            ["base_url"] = _server.BaseUri.ToString(),
            ["hub_url"] = _server.BaseUri.ToString(),
            ["api_key"] = "hf_test",
            ["provider_model"] = model,
        };
        foreach (var (key, value) in extra ?? [])
        {
            config[key] = value?.DeepClone();
        }
        return BackendHarness.Create("huggingface", config);
    }

    [Fact]
    public async Task Classifies_one_text_with_every_label_scored()
    {
        await using var backend = Backend("test/classifier");
        var result = Assert.Single(await backend.ClassifyAsync(["a good day"], default));

        Assert.Equal("POSITIVE", result.Label);
        Assert.Equal(0.95, result.Score, 6);
        Assert.Equal(0.05, result.Scores["NEGATIVE"], 6);
        var sent = Assert.Single(_server.Requests);
        Assert.Equal("/models/test/classifier", sent.Path);
        Assert.Equal("Bearer hf_test", sent.Headers["Authorization"]);
        Assert.Equal("a good day", JsonNode.Parse(sent.Body)!["inputs"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_batch_of_texts_is_one_request()
    {
        await using var backend = Backend("test/classifier");
        var results = await backend.ClassifyAsync(["good", "bad", "good stuff"], default);

        Assert.Equal(["POSITIVE", "NEGATIVE", "POSITIVE"], results.Select(r => r.Label));
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Generates_text_with_max_new_tokens_and_maps_the_finish_reason()
    {
        await using var backend = Backend("test/generator");
        var full = await backend.GenerateAsync(new TextGenerationRequest([], Prompt: "hello"), default);
        var cut = await backend.GenerateAsync(new TextGenerationRequest([], Prompt: "one two three four", MaxTokens: 3), default);

        Assert.Equal("generated from hello", full.Text);
        Assert.Equal("generated from one", cut.Text);
        var parameters = JsonNode.Parse(_server.Requests.Last().Body)!["parameters"]!;
        Assert.Equal(3, parameters["max_new_tokens"]!.GetValue<int>());
        Assert.False(parameters["return_full_text"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Streams_generated_tokens_over_server_sent_events()
    {
        await using var backend = Backend("test/generator");
        var chunks = new List<TextGenerationChunk>();
        await foreach (var chunk in backend.StreamAsync(new TextGenerationRequest([], Prompt: "a b c d", MaxTokens: 4), default))
        {
            chunks.Add(chunk);
        }

        Assert.Equal("generated from a b", string.Concat(chunks.Select(c => c.Text)));
        Assert.Equal("length", chunks[^1].FinishReason);
        Assert.Equal(4, chunks[^1].Usage!.CompletionTokens);
        Assert.True(JsonNode.Parse(_server.Requests.Last().Body)!["stream"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Embeds_sentences_and_mean_pools_token_vectors()
    {
        await using var sentences = Backend("test/embedder");
        await using var tokens = Backend("test/token-embedder");

        var single = await sentences.EmbedAsync(["hello"], default);
        var pooled = await tokens.EmbedAsync(["ab cd"], default);

        Assert.Equal(OpenAiWireServer.Vector("hello", 4), Assert.Single(single.Vectors));
        var expected = OpenAiWireServer.Vector("ab", 4).Zip(OpenAiWireServer.Vector("cd", 4), (a, b) => (a + b) / 2).ToArray();
        Assert.Equal(expected, Assert.Single(pooled.Vectors), new FloatComparer());
    }

    [Fact]
    public async Task A_model_that_is_still_loading_is_retried()
    {
        _server.LoadingRequests = 1;
        await using var backend = Backend("test/classifier");

        var result = Assert.Single(await backend.ClassifyAsync(["good"], default));

        Assert.Equal("POSITIVE", result.Label);
        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal("true", _server.Requests.First().Headers["x-wait-for-model"]);
    }

    [Fact]
    public async Task Health_asks_the_hub_whether_the_model_exists()
    {
        await using var present = Backend("test/classifier");
        await using var absent = Backend("nobody/nothing");

        Assert.True((await present.CheckHealthAsync(default)).Healthy);
        var failed = await absent.CheckHealthAsync(default);
        Assert.False(failed.Healthy);
        Assert.Contains("404", failed.Detail);
    }

    [Fact]
    public async Task An_endpoint_url_targets_a_text_generation_inference_server()
    {
        var config = new JsonObject { ["endpoint_url"] = _server.BaseUri.ToString(), ["api_key"] = "hf_test" };
        await using var backend = BackendHarness.Create("huggingface", config);

        var result = await backend.GenerateAsync(new TextGenerationRequest([], Prompt: "tgi"), default);
        var health = await backend.CheckHealthAsync(default);

        Assert.Equal("generated from tgi", result.Text);
        Assert.True(health.Healthy);
        Assert.Contains(_server.Requests, r => r.Method == "POST" && r.Path == "/");
        Assert.Contains(_server.Requests, r => r.Method == "GET" && r.Path == "/health");
    }

    [Fact]
    public async Task Provider_errors_carry_the_provider_message()
    {
        await using var backend = Backend("test/unknown");

        var error = await Assert.ThrowsAsync<ModelBackendException>(() => backend.ClassifyAsync(["x"], default));

        Assert.Equal(404, error.UpstreamStatus);
        Assert.Contains("does not exist", error.Message);
    }

    private sealed class FloatComparer : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) < 1e-5;

        public int GetHashCode(float obj) => 0;
    }
}
