using System.Net;
using System.Net.Http.Json;
using System.Text;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Api;

[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class PredictionTests(SharedGatewayFactory gateway) : IAsyncLifetime
{
    private readonly ModelServiceWireServer _service = new("svc-secret");
    private readonly HuggingFaceWireServer _huggingFace = new("hf_test");
    private readonly OpenAiWireServer _openAi = new("sk-test", "gpt-test", "embed-test");

    public async Task InitializeAsync()
    {
        await _service.StartAsync();
        await _huggingFace.StartAsync();
        await _openAi.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _huggingFace.DisposeAsync();
        await _openAi.DisposeAsync();
    }

    private static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..30];

    private object FraudModel(string path = "predict", int timeoutSeconds = 30, bool batch = false, object? outputSchema = null) => new
    {
        name = UniqueName("fraud"),
        provider = "http",
        input_schema = new
        {
            type = "object",
            properties = new { amount = new { type = "number", minimum = 0 }, currency = new { type = "string", @enum = new[] { "EUR", "USD" } } },
            required = new[] { "amount" },
            additionalProperties = false,
        },
        output_schema = outputSchema ?? new
        {
            type = "object",
            properties = new { risk = new { type = "number" }, flagged = new { type = "boolean" } },
            required = new[] { "risk", "flagged" },
        },
        config = new
        {
            url = new Uri(_service.BaseUri, path).ToString(),
            batch_url = batch ? new Uri(_service.BaseUri, "batch").ToString() : null,
            headers = new Dictionary<string, string> { ["X-Service-Key"] = "svc-secret" },
            timeout_seconds = timeoutSeconds,
            max_retries = 0,
        },
    };

    [Fact]
    public async Task The_built_in_sentiment_model_predicts_out_of_the_box()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            using var response = await admin.GetAsync("/api/models/sentiment");
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(20), "the built-in model to be seeded");

        using var positive = await admin.PostAsJsonAsync("/api/models/sentiment/predict", new { text = "Our new teammate is brilliant and very kind." });
        using var negative = await admin.PostAsJsonAsync("/api/models/sentiment@latest/predict", new { text = "The checkout page is broken again and support is useless." });

        var p = await positive.AssertOkAsync();
        var n = await negative.AssertOkAsync();
        Assert.Equal("positive", p.GetProperty("sentiment").GetString());
        Assert.Equal("negative", n.GetProperty("sentiment").GetString());
        Assert.InRange(p.GetProperty("confidence").GetDouble(), 0.5, 1.0);
        Assert.Equal("mod_builtin_sentiment_v1", Assert.Single(positive.Headers.GetValues("X-Model-Id")));
        Assert.True(double.Parse(Assert.Single(positive.Headers.GetValues("X-Model-Latency-Ms")), System.Globalization.CultureInfo.InvariantCulture) >= 0);
    }

    [Theory]
    [InlineData("{}", "Required field 'text' is missing", "text")]
    [InlineData("""{"text": 5}""", "Field 'text' must be a string", "text")]
    [InlineData("""{"text": ""}""", "Field 'text' is shorter than 1 characters", "text")]
    [InlineData("""{"text": "fine", "mood": "curious"}""", "Field 'mood' is not allowed", "mood")]
    [InlineData("[1, 2]", "The input must be an object", null)]
    public async Task Inputs_are_validated_against_the_input_schema(string body, string detail, string? field)
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using var response = await admin.PostAsync($"/api/models/mod_builtin_sentiment_v1/predict", new StringContent(body, Encoding.UTF8, "application/json"));

        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal(detail, error.GetProperty("detail").GetString());
        Assert.Equal(field, error.TryGetProperty("field", out var f) ? f.GetString() : null);
        Assert.Equal("mod_builtin_sentiment_v1", error.GetProperty("model_id").GetString());
    }

    [Fact]
    public async Task Malformed_or_mistyped_bodies_and_unknown_models_are_refused()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using (var malformed = await admin.PostAsync("/api/models/sentiment/predict", new StringContent("{\"text\": ", Encoding.UTF8, "application/json")))
        {
            await malformed.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        }
        using (var plain = await admin.PostAsync("/api/models/sentiment/predict", new StringContent("text=hello", Encoding.UTF8, "text/plain")))
        {
            await plain.AssertErrorAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        }
        using (var empty = await admin.PostAsync("/api/models/sentiment/predict", new StringContent("", Encoding.UTF8, "application/json")))
        {
            await empty.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using (var unknown = await admin.PostAsJsonAsync("/api/models/mod_doesnotexist0000/predict", new { text = "x" }))
        {
            await unknown.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        using (var unknownName = await admin.PostAsJsonAsync("/api/models/no-such-model@latest/predict", new { text = "x" }))
        {
            await unknownName.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
    }

    [Fact]
    public async Task A_users_own_service_gets_the_validated_input_and_its_answer_is_returned()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(FraudModel());

        using var ok = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 8000, currency = "EUR" });
        var output = await ok.AssertOkAsync();
        Assert.Equal(0.8, output.GetProperty("risk").GetDouble());
        Assert.True(output.GetProperty("flagged").GetBoolean());

        using var invalid = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = -1 });
        Assert.Equal("amount", (await invalid.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error")).GetProperty("field").GetString());
        using var badEnum = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 1, currency = "GBP" });
        Assert.Contains("must be one of", (await badEnum.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error")).GetProperty("detail").GetString());
        // Invalid inputs never reach the service.
        Assert.Equal(1, _service.Count("/predict"));
    }

    [Fact]
    public async Task An_output_that_breaks_the_output_schema_is_a_model_error()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(FraudModel(path: "wrong-shape"));

        using var response = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 10 });

        var error = await response.AssertErrorAsync(HttpStatusCode.BadGateway, "model_error");
        Assert.Equal(id, error.GetProperty("model_id").GetString());
        Assert.Contains("output_schema", error.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_failing_backend_is_a_502_with_the_model_id_and_the_provider_reason()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(FraudModel());
        _service.FailNext = 1;

        using var response = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 10 });

        var error = await response.AssertErrorAsync(HttpStatusCode.BadGateway, "model_error");
        Assert.Equal(id, error.GetProperty("model_id").GetString());
        Assert.Contains("HTTP 500", error.GetProperty("detail").GetString());

        using var notJson = await admin.PostAsJsonAsync($"/api/models/{await admin.RegisterModelAsync(FraudModel(path: "not-json"))}/predict", new { amount = 1 });
        Assert.Contains("not JSON", (await notJson.AssertErrorAsync(HttpStatusCode.BadGateway, "model_error")).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_backend_slower_than_the_timeout_is_a_504()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(FraudModel(timeoutSeconds: 1));
        _service.Delay = TimeSpan.FromSeconds(5);

        var started = DateTime.UtcNow;
        using var response = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 10 });

        var error = await response.AssertErrorAsync(HttpStatusCode.GatewayTimeout, "model_timeout");
        Assert.Equal(id, error.GetProperty("model_id").GetString());
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task A_batch_costs_its_size_and_a_classification_batch_is_one_provider_call()
    {
        var (_, key) = await gateway.CreateKeyAsync(new { owner = "predict-batcher-" + Guid.NewGuid().ToString("N")[..8], permissions = new[] { "read", "write", "execute" }, rate_limit = "100/minute" });
        using var client = gateway.CreateClient(key);
        // Registered by the admin: the wire server is on loopback, which non-admin keys may not target (outbound policy).
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(new
        {
            name = UniqueName("hf-classifier"),
            provider = "huggingface",
            config = new { base_url = _huggingFace.BaseUri.ToString(), hub_url = _huggingFace.BaseUri.ToString(), api_key = "hf_test", provider_model = "test/classifier" },
        });
        var callsBefore = _huggingFace.Count("/models/");

        using var response = await client.PostAsJsonAsync($"/api/models/{id}/predict/batch",
            new { inputs = new[] { new { text = "good one" }, new { text = "bad one" }, new { text = "good two" }, new { text = "meh" } } });

        var body = await response.AssertOkAsync();
        Assert.Equal(id, body.GetProperty("model_id").GetString());
        Assert.Equal(["POSITIVE", "NEGATIVE", "POSITIVE", "NEGATIVE"],
            body.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("label").GetString()));
        Assert.Equal(callsBefore + 1, _huggingFace.Count("/models/"));
        // One call of this key so far, the batch of 4.
        Assert.Equal(96, response.IntHeader("X-RateLimit-Remaining"));
    }

    [Fact]
    public async Task Batches_over_the_maximum_and_batches_with_a_bad_item_are_refused_whole()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(FraudModel(batch: true));

        var tooMany = Enumerable.Range(0, 21).Select(i => new { amount = i }).ToArray();
        using (var response = await admin.PostAsJsonAsync($"/api/models/{id}/predict/batch", new { inputs = tooMany }))
        {
            var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "batch_too_large");
            Assert.Equal(20, error.GetProperty("max_batch_size").GetInt32());
        }
        using (var response = await admin.PostAsJsonAsync($"/api/models/{id}/predict/batch", new { inputs = new object[] { new { amount = 1 }, new { amount = "lots" } } }))
        {
            var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
            Assert.Equal(1, error.GetProperty("index").GetInt32());
            Assert.Equal("amount", error.GetProperty("field").GetString());
        }
        using (var response = await admin.PostAsJsonAsync($"/api/models/{id}/predict/batch", new { inputs = Array.Empty<object>() }))
        {
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        using (var response = await admin.PostAsJsonAsync($"/api/models/{id}/predict/batch", new { inputs = new[] { new { amount = 1 } }, extra = true }))
        {
            await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        Assert.Equal(0, _service.Count("/batch"));

        using (var response = await admin.PostAsJsonAsync($"/api/models/{id}/predict/batch", new { inputs = new[] { new { amount = 100 }, new { amount = 9000 } } }))
        {
            var body = await response.AssertOkAsync();
            Assert.Equal([0.01, 0.9], body.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("risk").GetDouble()));
        }
        Assert.Equal(1, _service.Count("/batch"));
    }

    [Fact]
    public async Task Chat_and_embedding_models_predict_through_an_openai_compatible_endpoint()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var chat = await admin.RegisterModelAsync(new
        {
            name = UniqueName("chat"),
            provider = "openai",
            config = new { base_url = _openAi.V1.ToString(), api_key = "sk-test", provider_model = "gpt-test" },
        });
        var embed = await admin.RegisterModelAsync(new
        {
            name = UniqueName("embed"),
            provider = "openai",
            config = new { base_url = _openAi.V1.ToString(), api_key = "sk-test", provider_model = "embed-test", task = "embedding" },
        });

        using var answered = await admin.PostAsJsonAsync($"/api/models/{chat}/predict",
            new { messages = new[] { new { role = "user", content = "what is up" } }, max_tokens = 2, temperature = 0.2 });
        var reply = await answered.AssertOkAsync();
        Assert.Equal("echo: what", reply.GetProperty("text").GetString());
        Assert.Equal("length", reply.GetProperty("finish_reason").GetString());
        Assert.Equal(2, reply.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        using var badRole = await admin.PostAsJsonAsync($"/api/models/{chat}/predict", new { messages = new[] { new { role = "robot", content = "x" } } });
        Assert.Equal("messages[0].role", (await badRole.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error")).GetProperty("field").GetString());

        using var embedded = await admin.PostAsJsonAsync($"/api/models/{embed}/predict", new { input = new[] { "a", "bb" } });
        var vectors = await embedded.AssertOkAsync();
        Assert.Equal(2, vectors.GetProperty("embeddings").GetArrayLength());
        Assert.Equal(8, vectors.GetProperty("dimensions").GetInt32());
        Assert.Equal(OpenAiWireServer.Vector("bb"), vectors.GetProperty("embeddings")[1].EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public async Task Metrics_count_requests_per_day_errors_and_latency()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var id = await admin.RegisterModelAsync(FraudModel());
        for (var i = 0; i < 3; i++)
        {
            using var ok = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = i });
            await ok.AssertOkAsync();
        }
        _service.FailNext = 1;
        using (var failed = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 1 }))
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        var metrics = await admin.GetJsonAsync($"/api/models/{id}/metrics?days=7");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        Assert.Equal(4, metrics.GetProperty("daily_requests").GetProperty(today).GetInt64());
        Assert.Equal(1, metrics.GetProperty("daily_errors").GetProperty(today).GetInt64());
        // The user guide's strings, and numbers beside them for machines.
        Assert.Equal("25%", metrics.GetProperty("error_rate").GetString());
        Assert.Equal(0.25, metrics.GetProperty("error_rate_ratio").GetDouble());
        Assert.Matches(@"^\d+(\.\d)?ms$", metrics.GetProperty("average_response_time").GetString());
        Assert.True(metrics.GetProperty("average_response_time_ms").GetDouble() > 0);

        var status = await admin.GetJsonAsync($"/api/models/{id}/status");
        Assert.Equal(4, status.GetProperty("total_requests").GetInt64());
        Assert.Contains("HTTP 500", status.GetProperty("last_error").GetString());
        Assert.Matches(@"^\d+(\.\d)?ms$", status.GetProperty("average_latency").GetString());
        Assert.True(status.GetProperty("average_latency_ms").GetDouble() > 0);

        using var badDays = await admin.GetAsync($"/api/models/{id}/metrics?days=0");
        await badDays.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
    }
}
