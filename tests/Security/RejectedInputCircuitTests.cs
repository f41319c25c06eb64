using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// An input the provider refuses (OpenAI's 400 context_length_exceeded, a 413 or 422) is the caller's mistake: a
/// 400 <c>validation_error</c> with the provider's reason, never counted against the circuit breaker every caller
/// shares. Before, each was a 502 that counted, and a few of them paused the model for everyone.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class RejectedInputCircuitTests(SharedGatewayFactory gateway) : IAsyncLifetime
{
    // Well past the test gateway's Models:CircuitFailureThreshold (3) and the default (5).
    private const int Attempts = 7;
    private const string Marker = OpenAiWireServer.RejectMarker;

    private readonly OpenAiWireServer _openAi = new("sk-upstream", "gpt-test", "embed-test");
    private readonly HuggingFaceWireServer _huggingFace = new("hf_test");
    private readonly ModelServiceWireServer _service = new("svc-secret");
    private string _chat = "";
    private string _embed = "";
    private string _hf = "";
    private string _http = "";

    public async Task InitializeAsync()
    {
        await _openAi.StartAsync();
        await _huggingFace.StartAsync();
        await _service.StartAsync();
        // Admin-registered: only an admin may point a model at the loopback wire servers.
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        _chat = SecurityGateway.UniqueName("rej-chat");
        _embed = SecurityGateway.UniqueName("rej-embed");
        _hf = SecurityGateway.UniqueName("rej-hf");
        _http = SecurityGateway.UniqueName("rej-http");
        await admin.RegisterModelAsync(new
        {
            name = _chat, provider = "openai",
            config = new { base_url = _openAi.V1.ToString(), api_key = "sk-upstream", provider_model = "gpt-test", max_retries = 0 },
        });
        await admin.RegisterModelAsync(new
        {
            name = _embed, provider = "openai",
            config = new { base_url = _openAi.V1.ToString(), api_key = "sk-upstream", provider_model = "embed-test", task = "embedding", max_retries = 0 },
        });
        await admin.RegisterModelAsync(new
        {
            name = _hf, provider = "huggingface",
            config = new { base_url = _huggingFace.BaseUri.ToString(), hub_url = _huggingFace.BaseUri.ToString(), api_key = "hf_test", provider_model = "test/classifier", max_retries = 0 },
        });
        await admin.RegisterModelAsync(new
        {
            name = _http, provider = "http",
            input_schema = new { type = "object" },
            config = new
            {
                url = new Uri(_service.BaseUri, "predict").ToString(),
                headers = new Dictionary<string, string> { ["X-Service-Key"] = "svc-secret" },
                max_retries = 0,
            },
        });
    }

    public async Task DisposeAsync()
    {
        await _openAi.DisposeAsync();
        await _huggingFace.DisposeAsync();
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task Openai_chat_predict_refused_for_its_input_is_a_validation_error_and_the_circuit_stays_closed()
    {
        using var client = await gateway.NonAdminClientAsync("rejchat");
        for (var i = 0; i < Attempts; i++)
        {
            using var response = await client.PostAsJsonAsync($"/api/models/{_chat}/predict",
                new { messages = new[] { new { role = "user", content = Marker } } });
            var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
            Assert.Contains("maximum context length", error.GetProperty("detail").GetString());
        }
        using var good = await client.PostAsJsonAsync($"/api/models/{_chat}/predict", new { messages = new[] { new { role = "user", content = "hi" } } });
        await good.AssertOkAsync();
        await AssertCircuitClosedAsync(client, _chat);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Openai_chat_completions_refused_for_their_input_are_validation_errors(bool stream)
    {
        using var client = await gateway.NonAdminClientAsync("rejv1");
        for (var i = 0; i < Attempts; i++)
        {
            using var response = await client.PostAsJsonAsync("/v1/chat/completions",
                new { model = _chat, stream, messages = new[] { new { role = "user", content = Marker } } });
            await AssertOpenAiValidationErrorAsync(response);
        }
        using var good = await client.PostAsJsonAsync("/v1/chat/completions",
            new { model = _chat, stream, messages = new[] { new { role = "user", content = "say hi" } } });
        var answer = await good.Content.ReadAsStringAsync();
        Assert.True(good.StatusCode == HttpStatusCode.OK, answer);
        Assert.Contains("echo", answer);
        await AssertCircuitClosedAsync(client, _chat);
    }

    [Fact]
    public async Task Openai_embeddings_refused_for_their_input_are_validation_errors()
    {
        using var client = await gateway.NonAdminClientAsync("rejemb");
        for (var i = 0; i < Attempts; i++)
        {
            using var response = await client.PostAsJsonAsync("/v1/embeddings", new { model = _embed, input = new[] { "fine", Marker } });
            await AssertOpenAiValidationErrorAsync(response);
        }
        using var good = await client.PostAsJsonAsync("/v1/embeddings", new { model = _embed, input = "fine" });
        await good.AssertOkAsync();
        await AssertCircuitClosedAsync(client, _embed);
    }

    [Fact]
    public async Task Huggingface_422_is_a_validation_error_and_the_circuit_stays_closed()
    {
        using var client = await gateway.NonAdminClientAsync("rejhf");
        for (var i = 0; i < Attempts; i++)
        {
            using var response = await client.PostAsJsonAsync($"/api/models/{_hf}/predict", new { text = HuggingFaceWireServer.RejectMarker });
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using var good = await client.PostAsJsonAsync($"/api/models/{_hf}/predict", new { text = "good day" });
        await good.AssertOkAsync();
        await AssertCircuitClosedAsync(client, _hf);
    }

    [Fact]
    public async Task Http_model_413_is_a_validation_error_and_the_circuit_stays_closed()
    {
        using var client = await gateway.NonAdminClientAsync("rejhttp");
        for (var i = 0; i < Attempts; i++)
        {
            using var response = await client.PostAsJsonAsync($"/api/models/{_http}/predict", new { amount = 1, note = ModelServiceWireServer.RejectMarker });
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using var good = await client.PostAsJsonAsync($"/api/models/{_http}/predict", new { amount = 100 });
        await good.AssertOkAsync();
        await AssertCircuitClosedAsync(client, _http);
    }

    private static async Task AssertOpenAiValidationErrorAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.Equal("validation_error", error.GetProperty("code").GetString());
        Assert.Contains("maximum context length", error.GetProperty("message").GetString());
    }

    private static async Task AssertCircuitClosedAsync(HttpClient client, string model)
    {
        var status = await client.GetJsonAsync($"/api/models/{model}/status");
        Assert.Equal("closed", status.GetProperty("circuit").GetString());
        Assert.Equal(0, status.GetProperty("consecutive_failures").GetInt32());
    }
}
