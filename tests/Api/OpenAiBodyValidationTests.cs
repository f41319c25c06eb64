using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Api;

/// <summary>
/// Issue 18: the OpenAI routes check their bodies in an endpoint filter (content type, JSON, then the fields) and
/// answer every refusal in OpenAI's error shape, before any model is looked up.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class OpenAiBodyValidationTests(SharedGatewayFactory gateway)
{
    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/embeddings")]
    public async Task A_body_that_does_not_parse_is_refused_in_openai_shape(string route)
    {
        using var client = gateway.CreateBearerClient(GatewayFactory.AdminKey);
        // (Another content type is refused by routing already: the route accepts only JSON.)
        using (var plain = await client.PostAsync(route, new StringContent("hello", Encoding.UTF8, "text/plain")))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        }
        using (var malformed = await client.PostAsync(route, new StringContent("{\"model\": ", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            var error = await ErrorAsync(malformed);
            Assert.Equal("invalid_request", error.GetProperty("code").GetString());
            Assert.StartsWith("The body is not valid JSON", error.GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task Embedding_fields_are_checked_before_the_model_is_resolved()
    {
        using var client = gateway.CreateBearerClient(GatewayFactory.AdminKey);
        // The model does not exist: each answer is the body's problem, not 404.
        using (var missing = await client.PostAsJsonAsync("/v1/embeddings", new { model = "no-such-model" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
            Assert.Equal("input", (await ErrorAsync(missing)).GetProperty("param").GetString());
        }
        using (var tooMany = await client.PostAsJsonAsync("/v1/embeddings", new { model = "no-such-model", input = Enumerable.Repeat("x", 10_000).ToArray() }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
            var error = await ErrorAsync(tooMany);
            Assert.Equal("batch_too_large", error.GetProperty("code").GetString());
            Assert.True(error.TryGetProperty("max_batch_size", out _));
        }
        using (var format = await client.PostAsJsonAsync("/v1/embeddings", new { model = "no-such-model", input = "x", encoding_format = "hex" }))
        {
            Assert.Equal("encoding_format", (await ErrorAsync(format)).GetProperty("param").GetString());
        }
        using (var unknown = await client.PostAsJsonAsync("/v1/embeddings", new { model = "no-such-model", input = "x" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("model_not_found", (await ErrorAsync(unknown)).GetProperty("code").GetString());
        }
    }

    private static async Task<JsonElement> ErrorAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("error").ValueKind == JsonValueKind.Object, $"{(int)response.StatusCode} {body}");
        return body.GetProperty("error");
    }
}
