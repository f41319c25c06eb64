using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Api;

/// <summary>
/// The user guide's registrations: a model without a provider (registered, not deployed, attached later by its owner),
/// hosting settings, and <c>config.requires_api_key</c> served with the operator's credential — sent to the
/// provider's configured endpoint and nowhere else.
/// </summary>
[Trait("Tier", "Api")]
public sealed class GuideRegistrationTests : IAsyncLifetime
{
    private const string OperatorKey = "sk-operator-only";
    private readonly OpenAiWireServer _openAi = new(OperatorKey, "gpt-test");
    private GatewayFactory _gateway = null!;

    public async Task InitializeAsync()
    {
        await _openAi.StartAsync();
        // The operator's OpenAI account: its key, and (as an operator may point "openai" at a proxy) its endpoint,
        // which is the loopback wire server here.
        _gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["Providers:OpenAI:ApiKey"] = OperatorKey,
            ["Providers:OpenAI:BaseUrl"] = _openAi.V1.ToString(),
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openAi.DisposeAsync();
    }

    [Fact]
    public async Task A_model_without_a_provider_is_registered_and_answers_not_deployed_until_its_owner_attaches_one()
    {
        using var owner = await ClientAsync("owner");
        using var stranger = await ClientAsync("stranger");
        var name = "undeployed-" + Guid.NewGuid().ToString("N")[..8];
        var registered = await (await owner.PostJsonAsync("/api/models", new
        {
            name,
            version = "1.0.0",
            input_schema = new { type = "object", properties = new { text = new { type = "string" } } },
        })).AssertOkAsync(HttpStatusCode.Created);
        var id = registered.GetProperty("model_id").GetString()!;
        Assert.Equal("registered", registered.GetProperty("status").GetString());

        var model = await owner.GetJsonAsync($"/api/models/{id}");
        Assert.Equal(JsonValueKind.Null, model.GetProperty("provider").ValueKind);
        Assert.Equal("internal", model.GetProperty("model_type").GetString());
        var status = await owner.GetJsonAsync($"/api/models/{id}/status");
        Assert.Equal("registered", status.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("last_health_check").ValueKind);

        var single = await (await owner.PostJsonAsync($"/api/models/{id}/predict", new { text = "hello" }))
            .AssertErrorAsync(HttpStatusCode.Conflict, "model_not_deployed");
        Assert.Contains($"PATCH /api/models/{id}", single.GetProperty("detail").GetString());
        await (await owner.PostJsonAsync($"/api/models/{id}/predict/batch", new { inputs = new[] { new { text = "a" } } }))
            .AssertErrorAsync(HttpStatusCode.Conflict, "model_not_deployed");
        // Refusals of an undeployed model are nobody's failure: no error counted, no breaker.
        Assert.Equal(0, (await owner.GetJsonAsync($"/api/models/{id}/status")).GetProperty("consecutive_failures").GetInt32());

        // Only the owner (or an admin) attaches a backend; the provider must be one the cluster knows.
        await (await stranger.PatchAsJsonAsync($"/api/models/{id}", new { provider = "builtin", config = new { model = "sentiment" } }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        var unknown = await (await owner.PatchAsJsonAsync($"/api/models/{id}", new { provider = "skynet" }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal("provider", unknown.GetProperty("field").GetString());
        Assert.Contains("builtin", unknown.GetProperty("detail").GetString());
        // Hostile names are refused by their shape, never echoed back at length.
        foreach (var hostile in new object[] { new string('x', 10_000), "", " ", "../builtin", 42 })
        {
            var refused = await (await owner.PatchAsJsonAsync($"/api/models/{id}", new { provider = hostile }))
                .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
            Assert.True(refused.GetProperty("detail").GetString()!.Length < 200);
        }
        await (await owner.PostJsonAsync("/api/models", new { name = "long-" + Guid.NewGuid().ToString("N")[..8], provider = new string('x', 10_000) }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        var attached = await (await owner.PatchAsJsonAsync($"/api/models/{id}", new { provider = "builtin", config = new { model = "sentiment" } }))
            .AssertOkAsync();
        Assert.Equal("builtin", attached.GetProperty("provider").GetString());
        await (await owner.PostJsonAsync($"/api/models/{id}/predict", new { text = "I love it" })).AssertOkAsync();

        // Attached once, a provider never changes: that is a new version.
        var changed = await (await owner.PatchAsJsonAsync($"/api/models/{id}", new { provider = "openai" }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Contains("new version", changed.GetProperty("detail").GetString());
        var listed = await owner.GetJsonAsync($"/api/models?name={name}&provider=builtin");
        Assert.Equal(1, listed.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Hosting_settings_are_kept_and_typos_or_nonsense_in_them_are_refused()
    {
        using var owner = await ClientAsync("hosting");
        var id = await owner.RegisterModelAsync(new
        {
            name = "hosted-" + Guid.NewGuid().ToString("N")[..8],
            model_type = "internal",
            config = new { batch_size = 32, requires_gpu = true, memory_requirement = "2GB" },
        });
        var config = (await owner.GetJsonAsync($"/api/models/{id}")).GetProperty("config");
        Assert.Equal(32, config.GetProperty("batch_size").GetInt32());
        Assert.True(config.GetProperty("requires_gpu").GetBoolean());

        foreach (var (settings, field) in new (object Settings, string Field)[]
        {
            (new { batch_sise = 32 }, "config.batch_sise"),
            (new { memory_requirement = "lots" }, "config.memory_requirement"),
            (new { batch_size = 0 }, "config.batch_size"),
            (new { requires_gpu = "yes" }, "config.requires_gpu"),
            (new { api_key = "sk-somewhere" }, "config.api_key"),
        })
        {
            var refused = await (await owner.PostJsonAsync("/api/models", new { name = "bad-" + Guid.NewGuid().ToString("N")[..8], config = settings }))
                .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
            Assert.Equal(field, refused.GetProperty("field").GetString());
        }
    }

    [Fact]
    public async Task Requires_api_key_sends_the_operators_key_to_the_providers_endpoint_and_never_returns_it()
    {
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        // The operator's endpoint is on loopback in this test, which only an admin may target.
        var id = await admin.RegisterModelAsync(new
        {
            name = "gpt-wrapper-" + Guid.NewGuid().ToString("N")[..8],
            model_type = "third_party",
            provider = "openai",
            // The guide's output schema: the answer comes as "response" (not our default "text").
            output_schema = new
            {
                type = "object",
                properties = new
                {
                    response = new { type = "string" },
                    usage = new { type = "object", properties = new { total_tokens = new { type = "integer" } } },
                },
            },
            config = new { requires_api_key = true, provider_model = "gpt-test", max_tokens = 4096 },
        });
        using var answered = await admin.PostJsonAsync($"/api/models/{id}/predict",
            new { messages = new[] { new { role = "user", content = "What is the capital of France?" } }, temperature = 0.7 });
        var answer = await answered.AssertOkAsync();
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("response").GetString()));
        Assert.False(answer.TryGetProperty("text", out _));
        Assert.True(answer.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
        var sent = _openAi.Requests.Last(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal));
        Assert.Equal($"Bearer {OperatorKey}", sent.Headers["Authorization"]);

        var shown = await admin.GetAsync($"/api/models/{id}");
        Assert.DoesNotContain(OperatorKey, await shown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_operators_key_is_never_sent_to_an_address_the_model_names()
    {
        using var owner = await ClientAsync("elsewhere");
        var before = _openAi.Requests.Count;
        var refused = await (await owner.PostJsonAsync("/api/models", new
        {
            name = "thief-" + Guid.NewGuid().ToString("N")[..8],
            provider = "openai",
            config = new { requires_api_key = true, provider_model = "gpt-test", base_url = "http://127.0.0.2:9/v1" },
        })).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal("config.requires_api_key", refused.GetProperty("field").GetString());
        Assert.Contains("own config.api_key", refused.GetProperty("detail").GetString());

        // Nor by attaching a backend later.
        var id = await owner.RegisterModelAsync(new { name = "later-" + Guid.NewGuid().ToString("N")[..8] });
        await (await owner.PatchAsJsonAsync($"/api/models/{id}", new
        {
            provider = "openai",
            config = new { requires_api_key = true, provider_model = "gpt-test", base_url = "http://127.0.0.2:9/v1" },
        })).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal(before, _openAi.Requests.Count);
    }

    [Fact]
    public async Task Without_the_operators_credential_a_model_that_asks_for_it_is_a_model_error_naming_the_setting_and_calls_nobody()
    {
        using var owner = await ClientAsync("hf");
        // model_id is the Hugging Face Hub id, as the guide writes it; no Providers:HuggingFace:ApiKey is configured.
        var id = await owner.RegisterModelAsync(new
        {
            name = "bert-sentiment-" + Guid.NewGuid().ToString("N")[..8],
            model_type = "third_party",
            provider = "huggingface",
            config = new { model_id = "nlptown/bert-base-multilingual-uncased-sentiment", requires_api_key = true },
        });
        var error = await (await owner.PostJsonAsync($"/api/models/{id}/predict", new { text = "great" }))
            .AssertErrorAsync(HttpStatusCode.BadGateway, "model_error");
        Assert.Contains("Providers:HuggingFace:ApiKey", error.GetProperty("detail").GetString());
        Assert.Equal(id, error.GetProperty("model_id").GetString());
        var status = await owner.GetJsonAsync($"/api/models/{id}/status");
        Assert.Equal("error", status.GetProperty("status").GetString());
        Assert.Contains("Providers:HuggingFace:ApiKey", status.GetProperty("last_error").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("last_health_check").ValueKind);
        Assert.Equal(0, status.GetProperty("consecutive_failures").GetInt32());

        var mismatch = await (await owner.PostJsonAsync("/api/models", new
        {
            name = "two-names-" + Guid.NewGuid().ToString("N")[..8],
            provider = "huggingface",
            config = new { model_id = "org/one", provider_model = "org/two" },
        })).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal("config.model_id", mismatch.GetProperty("field").GetString());
    }

    private async Task<HttpClient> ClientAsync(string prefix)
    {
        // A key as the guide's self-service one: no permissions named, so read, write and execute.
        var (_, key) = await _gateway.CreateKeyAsync(new { owner = prefix + "-" + Guid.NewGuid().ToString("N")[..8] });
        return _gateway.CreateClient(key);
    }
}
