using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 15 item 6: a duplicate property or a lone surrogate is the caller's mistake. Each is a 400
/// <c>validation_error</c> on every route that reaches a model, and however many arrive, the model's circuit stays
/// closed: the next good request is answered.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class MalformedInputCircuitTests(SharedGatewayFactory gateway) : IAsyncLifetime
{
    // Raw JSON text: "\ud800" is the six-character escape of a lone high surrogate.
    private const string LoneSurrogate = "\"\\ud800\"";
    private const int Attempts = 8;

    private readonly OpenAiWireServer _upstream = new("sk-upstream", "gpt-test");
    private string _chatModel = "";

    public async Task InitializeAsync()
    {
        await _upstream.StartAsync();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        _chatModel = $"badin-{Guid.NewGuid():N}"[..20];
        await admin.RegisterModelAsync(new
        {
            name = _chatModel,
            provider = "openai",
            config = new { base_url = _upstream.V1.ToString(), api_key = "sk-upstream", provider_model = "gpt-test", max_retries = 0 },
        });
    }

    public Task DisposeAsync() => _upstream.DisposeAsync().AsTask();

    public static TheoryData<string> BadTexts => new()
    {
        $$"""{"text":{{LoneSurrogate}}}""",
        """{"text":"a","text":"b"}""",
        $$"""{"text":"ok","{{"\\udc00"}}":1}""",
    };

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Theory]
    [MemberData(nameof(BadTexts))]
    public async Task Predict_refuses_it_as_validation_error_and_the_circuit_stays_closed(string body)
    {
        using var client = gateway.CreateClient(GatewayFactory.AdminKey);
        for (var i = 0; i < Attempts; i++)
        {
            using var response = await client.PostAsync("/api/models/sentiment/predict", Json(body));
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        await AssertSentimentStillAnswersAsync(client);
    }

    [Theory]
    [MemberData(nameof(BadTexts))]
    public async Task Batch_predict_refuses_it_as_validation_error_and_the_circuit_stays_closed(string input)
    {
        using var client = gateway.CreateClient(GatewayFactory.AdminKey);
        for (var i = 0; i < Attempts; i++)
        {
            using var response = await client.PostAsync("/api/models/sentiment/predict/batch", Json($$"""{"inputs":[{"text":"fine"},{{input}}]}"""));
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        await AssertSentimentStillAnswersAsync(client);
    }

    [Theory]
    [MemberData(nameof(BadTexts))]
    public async Task The_rest_tool_path_refuses_it_as_validation_error_and_the_circuit_stays_closed(string body)
    {
        using var client = gateway.CreateClient(GatewayFactory.AdminKey);
        for (var i = 0; i < Attempts; i++)
        {
            using var response = await client.PostAsync("/tools/model.sentiment/execute", Json(body));
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using var good = await client.PostAsync("/tools/model.sentiment/execute", Json("""{"text":"What a wonderful day"}"""));
        var answer = await good.AssertOkAsync();
        Assert.False(answer.GetProperty("is_error").GetBoolean(), answer.ToString());
        await AssertCircuitClosedAsync(client, "sentiment");
    }

    [Theory]
    [InlineData(LoneSurrogate)]
    [InlineData("\"a\",\"content\":\"b\"")]
    public async Task Chat_completions_refuse_it_in_openai_shape_and_the_model_still_answers(string content)
    {
        using var client = gateway.CreateClient(GatewayFactory.AdminKey);
        var body = $$"""{"model":"{{_chatModel}}","messages":[{"role":"user","content":{{content}}}]}""";
        for (var i = 0; i < Attempts; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", Json(body));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
            Assert.Equal("validation_error", JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("code").GetString());
        }
        using var good = await client.PostAsJsonAsync("/v1/chat/completions",
            new { model = _chatModel, messages = new[] { new { role = "user", content = "say hi" } } });
        await good.AssertOkAsync();
        await AssertCircuitClosedAsync(client, _chatModel);
    }

    [Theory]
    [InlineData(LoneSurrogate)]
    [InlineData("\"a\",\"content\":\"b\"")]
    public async Task Completions_refuse_it_and_the_model_still_answers(string content)
    {
        using var client = gateway.CreateClient(GatewayFactory.AdminKey);
        var body = $$"""{"model_id":"{{_chatModel}}","messages":[{"role":"user","content":{{content}}}]}""";
        for (var i = 0; i < Attempts; i++)
        {
            using var response = await client.PostAsync("/completions", Json(body));
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using var good = await client.PostAsJsonAsync("/completions",
            new { model_id = _chatModel, messages = new[] { new { role = "user", content = "say hi" } } });
        await good.AssertOkAsync();
        await AssertCircuitClosedAsync(client, _chatModel);
    }

    [Theory]
    [InlineData(LoneSurrogate)]
    [InlineData("\"a\",\"text\":\"b\"")]
    public async Task Mcp_refuses_it_as_a_json_rpc_parse_error_before_any_tool_runs(string text)
    {
        using var client = gateway.CreateClient(GatewayFactory.AdminKey);
        var body = """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"model.sentiment","arguments":{"text":""" + text + "}}}";
        for (var i = 0; i < Attempts; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = Json(body) };
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("2.0", error.GetProperty("jsonrpc").GetString());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, error.GetProperty("id").ValueKind);
            Assert.Equal(-32700, error.GetProperty("error").GetProperty("code").GetInt32());
        }
        await AssertSentimentStillAnswersAsync(client);
    }

    private static async Task AssertSentimentStillAnswersAsync(HttpClient client)
    {
        using var good = await client.PostAsync("/api/models/sentiment/predict", Json("""{"text":"What a wonderful day"}"""));
        await good.AssertOkAsync();
        await AssertCircuitClosedAsync(client, "sentiment");
    }

    private static async Task AssertCircuitClosedAsync(HttpClient client, string model)
    {
        var status = await client.GetJsonAsync($"/api/models/{model}/status");
        Assert.Equal("closed", status.GetProperty("circuit").GetString());
        Assert.Equal(0, status.GetProperty("consecutive_failures").GetInt32());
    }
}
