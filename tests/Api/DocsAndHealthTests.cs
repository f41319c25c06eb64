using System.Net;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Api;

[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class DocsAndHealthTests(SharedGatewayFactory gateway)
{
    [Fact]
    public async Task Liveness_and_readiness_answer()
    {
        using var client = gateway.CreateClient();
        var live = await (await client.GetAsync("/health")).AssertOkAsync();
        Assert.Equal("ok", live.GetProperty("status").GetString());
        var ready = await (await client.GetAsync("/health/ready")).AssertOkAsync();
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.StartsWith("ok", ready.GetProperty("checks").GetProperty("sqlite:mcp").GetString());
    }

    [Fact]
    public async Task OpenApi_document_declares_the_api_key_schemes_and_secures_operations()
    {
        using var client = gateway.CreateClient();
        var doc = await (await client.GetAsync("/openapi/v1.json")).AssertOkAsync();
        var schemes = doc.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("apiKey", schemes.GetProperty("ApiKey").GetProperty("type").GetString());
        Assert.Equal("X-API-Key", schemes.GetProperty("ApiKey").GetProperty("name").GetString());
        Assert.Equal("header", schemes.GetProperty("ApiKey").GetProperty("in").GetString());
        Assert.Equal("bearer", schemes.GetProperty("Bearer").GetProperty("scheme").GetString());

        var paths = doc.GetProperty("paths");
        var list = paths.GetProperty("/api/keys").GetProperty("get");
        Assert.Contains(list.GetProperty("security").EnumerateArray(), r => r.TryGetProperty("ApiKey", out _));
        Assert.True(paths.GetProperty("/api/keys/{key_id}/rotate").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/api/keys/{key_id}/usage").TryGetProperty("get", out _));
        Assert.False(paths.GetProperty("/health").GetProperty("get").TryGetProperty("security", out _));
        var createSchema = doc.GetProperty("components").GetProperty("schemas").GetProperty("CreateApiKeyRequest").GetProperty("properties");
        Assert.True(createSchema.TryGetProperty("expires_in_days", out _));
    }

    [Fact]
    public async Task Swagger_ui_and_redoc_are_served()
    {
        using var client = gateway.CreateClient();
        using var docs = await client.GetAsync("/docs/index.html");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        var html = await docs.Content.ReadAsStringAsync();
        Assert.Contains("swagger-ui", html);
        using var config = await client.GetAsync("/docs/index.js");
        Assert.Contains("/openapi/v1.json", await config.Content.ReadAsStringAsync());

        using var redoc = await client.GetAsync("/redoc/index.html");
        Assert.Equal(HttpStatusCode.OK, redoc.StatusCode);
        Assert.Contains("redoc-container", await redoc.Content.ReadAsStringAsync());
        using var redocScript = await client.GetAsync("/redoc/index.js");
        Assert.Contains("/openapi/v1.json", await redocScript.Content.ReadAsStringAsync());
    }
}
