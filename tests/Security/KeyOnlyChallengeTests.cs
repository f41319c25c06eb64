using System.Net;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 21 (3): without an authorization server (the default) a 401 names only the key header. A <c>Bearer</c>
/// challenge made MCP clients (the Inspector, the TypeScript SDK) start OAuth discovery instead of asking for the key;
/// the discovery documents and the registration endpoint they fall back to answer 404 saying to send a key.
/// </summary>
[Trait("Tier", "Api")]
[Collection(GatewayCollection.Name)]
public sealed class KeyOnlyChallengeTests(SharedGatewayFactory gateway)
{
    [Theory]
    [InlineData("/mcp")]
    [InlineData("/api/keys")]
    [InlineData("/api/alerts")]
    public async Task A_request_without_a_key_is_challenged_for_the_key_header_only(string path)
    {
        using var anonymous = gateway.CreateClient(null);
        using var response = path == "/mcp"
            ? await McpHttp.PostAsync(anonymous, null, new { jsonrpc = "2.0", id = 1, method = "ping" })
            : await anonymous.GetAsync(path);
        var error = await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.StartsWith("Missing API key", error.GetProperty("detail").GetString());
        Assert.Equal(["ApiKey header=\"X-API-Key\""], response.Headers.GetValues("WWW-Authenticate"));
    }

    [Fact]
    public async Task A_bearer_value_that_is_no_key_is_an_invalid_key_without_a_bearer_challenge()
    {
        using var client = gateway.CreateBearerClient("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
        using var response = await client.GetAsync("/api/keys");
        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.Equal("ApiKey header=\"X-API-Key\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData("GET", "/.well-known/oauth-protected-resource")]
    [InlineData("GET", "/.well-known/oauth-protected-resource/mcp")]
    [InlineData("GET", "/.well-known/oauth-authorization-server")]
    [InlineData("GET", "/.well-known/openid-configuration")]
    [InlineData("POST", "/register")]
    public async Task Oauth_discovery_is_answered_with_the_key_guidance(string method, string path)
    {
        using var anonymous = gateway.CreateClient(null);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent("""{"redirect_uris":["http://127.0.0.1:6276/oauth/callback"]}""", System.Text.Encoding.UTF8, "application/json");
        }
        using var response = await anonymous.SendAsync(request);
        var error = await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Contains("X-API-Key", error.GetProperty("detail").GetString());
        Assert.Contains("does not sign in with OAuth", error.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Both_documented_ways_of_presenting_a_key_still_work()
    {
        var (_, key) = await gateway.CreateKeyAsync(new { owner = SecurityGateway.UniqueName("keyonly"), permissions = new[] { "read" } });
        using (var header = gateway.CreateClient(key))
        using (var response = await header.GetAsync("/api/keys/me"))
        {
            await response.AssertOkAsync();
        }
        using var bearer = gateway.CreateBearerClient(key);
        using var viaBearer = await bearer.GetAsync("/api/keys/me");
        await viaBearer.AssertOkAsync();
    }
}
