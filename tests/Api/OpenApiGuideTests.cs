using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Api;

/// <summary>
/// Issue 17 item 5: the OpenAPI document serves the user guide's Swagger walkthrough. What "Try it out" pre-fills is
/// the guide's body and works as it is; required fields are listed; numbers are numbers; sections follow the guide.
/// The docs pages load nothing from the internet and /favicon.ico is served. The gateway is this class's own: the
/// guide's owner can start only one self-service owner per gateway.
/// </summary>
[Trait("Tier", "Api")]
public sealed class OpenApiGuideTests : IAsyncLifetime
{
    private readonly GatewayFactory _gateway = new(null);
    private JsonElement _document;

    public async Task InitializeAsync()
    {
        using var client = _gateway.CreateClient();
        _document = await (await client.GetAsync("/openapi/v1.json")).AssertOkAsync();
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private JsonElement Paths => _document.GetProperty("paths");

    private JsonElement Schemas => _document.GetProperty("components").GetProperty("schemas");

    private JsonElement Operation(string path, string method) => Paths.GetProperty(path).GetProperty(method);

    private static JsonElement RequestExample(JsonElement operation) =>
        operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");

    [Fact]
    public void The_request_examples_are_the_guides_payloads()
    {
        AssertJsonEqual("""{"owner": "your.email@example.com", "description": "Model deployment key"}""",
            RequestExample(Operation("/api/keys", "post")));
        AssertJsonEqual("""
            {
              "name": "sentiment-analyzer", "version": "1.0.0", "description": "BERT-based sentiment analysis model",
              "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}},
              "output_schema": {"type": "object", "properties": {
                "sentiment": {"type": "string", "enum": ["positive", "negative", "neutral"]}, "confidence": {"type": "number"}}}
            }
            """, RequestExample(Operation("/api/models", "post")));
        AssertJsonEqual("""{"text": "This product is amazing!"}""", RequestExample(Operation("/api/models/{model_id}/predict", "post")));
        AssertJsonEqual("""{"inputs": [{"text": "This product is amazing!"}, {"text": "Not satisfied with the quality."}]}""",
            RequestExample(Operation("/api/models/{model_id}/predict/batch", "post")));
    }

    [Fact]
    public async Task The_pre_filled_bodies_work_as_they_are_from_key_to_batch_prediction()
    {
        using var anonymous = _gateway.CreateClient();
        var issued = await (await PostAsync(anonymous, "/api/keys", RequestExample(Operation("/api/keys", "post")))).AssertOkAsync(HttpStatusCode.Created);
        Assert.Equal(["read", "write", "execute"], issued.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));

        using var keyed = _gateway.CreateClient(issued.GetProperty("api_key").GetString());
        var registered = await (await PostAsync(keyed, "/api/models", RequestExample(Operation("/api/models", "post")))).AssertOkAsync(HttpStatusCode.Created);
        var modelId = registered.GetProperty("model_id").GetString()!;
        Assert.Equal("registered", registered.GetProperty("status").GetString());

        // Registered without a backend, as the guide's payload is: a clear 409 until one is attached.
        await (await PostAsync(keyed, $"/api/models/{modelId}/predict", RequestExample(Operation("/api/models/{model_id}/predict", "post"))))
            .AssertErrorAsync(HttpStatusCode.Conflict, "model_not_deployed");
        // The built-in model answers the same bodies.
        var predicted = await (await PostAsync(keyed, "/api/models/sentiment/predict", RequestExample(Operation("/api/models/{model_id}/predict", "post"))))
            .AssertOkAsync();
        Assert.Equal("positive", predicted.GetProperty("sentiment").GetString());
        var batch = await (await PostAsync(keyed, "/api/models/sentiment/predict/batch", RequestExample(Operation("/api/models/{model_id}/predict/batch", "post"))))
            .AssertOkAsync();
        Assert.Equal(["positive", "negative"], batch.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("sentiment").GetString()!));
    }

    [Fact]
    public void Request_schemas_list_their_required_fields_and_show_optional_ones_without_null()
    {
        Assert.Equal(["owner"], Required("CreateApiKeyRequest"));
        Assert.Equal(["name"], Required("RegisterModelRequest"));
        Assert.Equal(["keys"], Required("CreateApiKeyBatchRequest"));
        Assert.Contains("name", Required("DataSourceRequest"));
        Assert.Equal(["version"], Required("SetAliasRequest"));

        // Request types (they refuse unknown fields: additionalProperties false): JSON null means "omitted", so no
        // property offers "null or …" as if null meant something else.
        var offenders = new List<string>();
        foreach (var schema in Schemas.EnumerateObject())
        {
            if (!schema.Value.TryGetProperty("additionalProperties", out var additional) || additional.ValueKind != JsonValueKind.False
                || !schema.Value.TryGetProperty("properties", out var properties))
            {
                continue;
            }
            offenders.AddRange(properties.EnumerateObject().Where(p => AllowsNull(p.Value)).Select(p => $"{schema.Name}.{p.Name}"));
        }
        Assert.True(offenders.Count == 0, "nullable request properties: " + string.Join(", ", offenders));
    }

    [Fact]
    public void Numbers_are_numbers_in_every_schema()
    {
        var text = _document.GetRawText();
        var mixed = new List<string>();
        Walk(_document, "$", (path, node) =>
        {
            if (node.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.Array)
            {
                var names = type.EnumerateArray().Select(t => t.GetString()).ToHashSet();
                if (names.Contains("string") && (names.Contains("integer") || names.Contains("number")))
                {
                    mixed.Add(path);
                }
            }
        });
        Assert.True(mixed.Count == 0, $"{mixed.Count} schemas are 'integer or string': {string.Join(", ", mixed.Take(10))}");
        Assert.DoesNotContain("^-?(?:0|[1-9]\\\\d*)$", text);
        var expires = Schemas.GetProperty("CreateApiKeyRequest").GetProperty("properties").GetProperty("expires_in_days");
        Assert.Equal("integer", expires.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_number_sent_as_a_string_is_refused_as_the_wrong_type()
    {
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        using var response = await admin.PostAsync("/api/keys",
            new StringContent("""{"owner": "numbers", "expires_in_days": "30"}""", Encoding.UTF8, "application/json"));
        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains("expires_in_days", error.GetProperty("detail").GetString());
    }

    [Fact]
    public void Sections_follow_the_guide()
    {
        var tags = _document.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["API Keys", "Models", "Predictions", "Monitoring"], tags[..4]);
        string[] TagsOf(string path, string method) =>
            Operation(path, method).GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToArray();
        Assert.Equal(["API Keys"], TagsOf("/api/keys", "post"));
        Assert.Equal(["API Keys"], TagsOf("/api/keys/{key_id}", "delete"));
        Assert.Equal(["Models"], TagsOf("/api/models", "post"));
        Assert.Equal(["Predictions"], TagsOf("/api/models/{model_id}/predict", "post"));
        Assert.Equal(["Predictions"], TagsOf("/api/models/{model_id}/predict/batch", "post"));
        Assert.Equal(["Models"], TagsOf("/api/models/{model_id}/status", "get"));
        Assert.Equal(["Models"], TagsOf("/api/models/{model_id}/metrics", "get"));
        Assert.Equal(["Monitoring"], TagsOf("/health", "get"));
        Assert.Equal(["Monitoring"], TagsOf("/summary", "get"));
        // Every tag an operation uses is declared, so Swagger UI and ReDoc show the sections in this order.
        var used = Paths.EnumerateObject().SelectMany(p => p.Value.EnumerateObject())
            .SelectMany(o => o.Value.TryGetProperty("tags", out var t) ? t.EnumerateArray().Select(x => x.GetString()!) : []).ToHashSet();
        Assert.Subset(tags.ToHashSet(), used);
        Assert.DoesNotContain(Paths.EnumerateObject(), p => p.Name.StartsWith("/api/models/{model}", StringComparison.Ordinal));
        var parameter = Assert.Single(Operation("/api/models/{model_id}/status", "get").GetProperty("parameters").EnumerateArray());
        Assert.Equal("model_id", parameter.GetProperty("name").GetString());
    }

    [Fact]
    public void Error_answers_carry_the_error_shape_with_examples_and_the_api_key_scheme_stays()
    {
        var list = Operation("/api/keys", "get");
        var unauthorized = list.GetProperty("responses").GetProperty("401").GetProperty("content").GetProperty("application/json");
        Assert.Equal("#/components/schemas/ApiError", unauthorized.GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal("invalid_api_key", unauthorized.GetProperty("example").GetProperty("error").GetString());
        var limited = list.GetProperty("responses").GetProperty("429").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal(JsonValueKind.Number, limited.GetProperty("reset_time").ValueKind);
        var invalid = Operation("/api/keys", "post").GetProperty("responses").GetProperty("400").GetProperty("content")
            .GetProperty("application/json").GetProperty("example");
        Assert.Equal("validation_error", invalid.GetProperty("error").GetString());
        Assert.Equal("owner", invalid.GetProperty("field").GetString());
        var notDeployed = Operation("/api/models/{model_id}/predict", "post").GetProperty("responses").GetProperty("409")
            .GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal("model_not_deployed", notDeployed.GetProperty("error").GetString());
        var forbidden = Operation("/api/models/{model_id}/predict", "post").GetProperty("responses").GetProperty("403")
            .GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal("execute", forbidden.GetProperty("required_permission").GetString());
        var answer = Operation("/api/models/{model_id}/predict", "post").GetProperty("responses").GetProperty("200")
            .GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal("positive", answer.GetProperty("sentiment").GetString());
        Assert.Equal(["error", "detail", "timestamp"], Schemas.GetProperty("ApiError").GetProperty("required").EnumerateArray().Select(r => r.GetString()));

        var scheme = _document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("X-API-Key", scheme.GetProperty("name").GetString());
        Assert.Contains(Operation("/api/models", "post").GetProperty("security").EnumerateArray(), r => r.TryGetProperty("ApiKey", out _));
    }

    [Fact]
    public async Task Redoc_loads_no_web_fonts_and_no_logo_from_the_internet()
    {
        using var client = _gateway.CreateClient();
        var page = await (await client.GetAsync("/redoc/index.html")).Content.ReadAsStringAsync();
        Assert.Contains("redoc-container", page);
        Assert.DoesNotContain("http://", page);
        Assert.DoesNotContain("https://", page);
        using var bundle = await client.GetAsync("/redoc/redoc.standalone.js");
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        var script = await bundle.Content.ReadAsStringAsync();
        Assert.True(script.Length > 1_000_000, "the whole ReDoc bundle is served");
        Assert.DoesNotContain("cdn.redoc.ly", script);
        Assert.DoesNotContain("cdn.redocly.com", script);
        Assert.DoesNotContain("otel.cloud.redocly.com", script);
        Assert.Contains("\"disableTelemetry\":true", await client.GetStringAsync("/redoc/index.js"));

        // Browsers get it compressed, as Swashbuckle served its own copy.
        using var compressed = new HttpRequestMessage(HttpMethod.Get, "/redoc/redoc.standalone.js");
        compressed.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var gzipped = await client.SendAsync(compressed);
        Assert.Equal(["gzip"], gzipped.Content.Headers.ContentEncoding);
        var packed = await gzipped.Content.ReadAsByteArrayAsync();
        Assert.True(packed.Length < script.Length / 2, $"{packed.Length} compressed bytes of {script.Length}");
        using var unpacked = new StreamReader(new System.IO.Compression.GZipStream(new MemoryStream(packed), System.IO.Compression.CompressionMode.Decompress));
        Assert.Equal(script, await unpacked.ReadToEndAsync());
        Assert.Contains("init", script);
    }

    [Fact]
    public async Task The_favicon_is_small_and_cacheable()
    {
        using var client = _gateway.CreateClient();
        using var icon = await client.GetAsync("/favicon.ico");
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal("image/x-icon", icon.Content.Headers.ContentType?.MediaType);
        var bytes = await icon.Content.ReadAsByteArrayAsync();
        Assert.InRange(bytes.Length, 22, 4096);
        Assert.Equal([0, 0, 1, 0], bytes[..4]);
        Assert.Contains("max-age", icon.Headers.CacheControl?.ToString());
        var etag = icon.Headers.ETag;
        Assert.NotNull(etag);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/favicon.ico");
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag.Tag));
        using var revalidated = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
    }

    private string[] Required(string schema) =>
        Schemas.GetProperty(schema).TryGetProperty("required", out var required)
            ? required.EnumerateArray().Select(r => r.GetString()!).ToArray()
            : [];

    private static bool AllowsNull(JsonElement property) =>
        (property.TryGetProperty("type", out var type)
            && (type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Any(t => t.GetString() == "null") : type.GetString() == "null"))
        || (property.TryGetProperty("oneOf", out var oneOf) && oneOf.EnumerateArray().Any(AllowsNull));

    private static void Walk(JsonElement node, string path, Action<string, JsonElement> visit)
    {
        if (node.ValueKind == JsonValueKind.Object)
        {
            visit(path, node);
            foreach (var property in node.EnumerateObject())
            {
                Walk(property.Value, $"{path}.{property.Name}", visit);
            }
        }
        else if (node.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in node.EnumerateArray())
            {
                Walk(item, $"{path}[{i++}]", visit);
            }
        }
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, JsonElement body) =>
        client.PostAsync(path, new StringContent(body.GetRawText(), Encoding.UTF8, "application/json"));

    private static void AssertJsonEqual(string expected, JsonElement actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual.GetRawText())),
            $"expected {expected}\nactual {actual.GetRawText()}");
}
