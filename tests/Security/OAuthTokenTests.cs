using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 21 (3): with an authorization server configured, the gateway describes itself as an OAuth protected resource
/// (RFC 9728), challenges with a Bearer pointer to that document, and accepts the issuer's access tokens, checked by
/// the JwtBearer handler against the issuer's published keys (a real local issuer, <see cref="WireServers.OidcTestIssuer"/>),
/// as callers standing for their subject's key: the token's scopes are its permissions, its subject its owner.
/// </summary>
[Trait("Tier", "Api")]
public sealed class OAuthTokenTests(OAuthGateway oauth) : IClassFixture<OAuthGateway>
{
    private const string MetadataUrl = "http://localhost/.well-known/oauth-protected-resource/mcp";

    [Theory]
    [InlineData("/.well-known/oauth-protected-resource/mcp")]
    [InlineData("/.well-known/oauth-protected-resource")]
    public async Task The_protected_resource_metadata_names_the_issuer_scopes_and_bearer_header(string path)
    {
        using var anonymous = oauth.Gateway.CreateClient(null);
        using var response = await anonymous.GetAsync(path);
        var document = await response.AssertOkAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(OAuthGateway.Resource, document.GetProperty("resource").GetString());
        Assert.Equal([oauth.Issuer.Issuer], document.GetProperty("authorization_servers").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["mcp:read", "mcp:write", "mcp:execute", "mcp:admin"], document.GetProperty("scopes_supported").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["header"], document.GetProperty("bearer_methods_supported").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Metadata_for_a_path_that_is_not_the_resource_is_not_found()
    {
        using var anonymous = oauth.Gateway.CreateClient(null);
        using var response = await anonymous.GetAsync("/.well-known/oauth-protected-resource/api/keys");
        await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_request_without_credentials_is_challenged_with_bearer_resource_metadata_first_and_the_key_header_second()
    {
        using var anonymous = oauth.Gateway.CreateClient(null);
        using var response = await McpHttp.PostAsync(anonymous, null, new { jsonrpc = "2.0", id = 1, method = "ping" });
        var error = await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.StartsWith("Missing API key or access token", error.GetProperty("detail").GetString());
        var challenges = response.Headers.GetValues("WWW-Authenticate").ToArray();
        Assert.Equal($"Bearer resource_metadata=\"{MetadataUrl}\", scope=\"mcp:read mcp:execute\"", challenges[0]);
        Assert.Equal("ApiKey header=\"X-API-Key\"", challenges[1]);

        // A REST route hints at the scope its permission needs.
        using var alerts = await anonymous.GetAsync("/api/alerts");
        Assert.Equal($"Bearer resource_metadata=\"{MetadataUrl}\", scope=\"mcp:admin\"", alerts.Headers.GetValues("WWW-Authenticate").First());
    }

    [Fact]
    public async Task A_token_from_the_issuer_uses_the_mcp_endpoint_and_rest_and_stands_for_its_subject_as_owner()
    {
        using var client = oauth.Client(oauth.Token("mcp:read mcp:execute", out var subject));
        var session = await McpHttp.InitializeAsync(client);
        var tools = await McpHttp.RequestAsync(client, session, "tools/list");
        var names = tools.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToArray();
        Assert.Contains("data.query", names);

        using var me = await client.GetAsync("/api/keys/me");
        Assert.Equal(OAuthGateway.RateLimit.Split('/')[0], me.Headers.GetValues("X-RateLimit-Limit").Single());
        var listed = await me.AssertOkAsync();
        Assert.Equal(subject, listed.GetProperty("owner").GetString());
        Assert.Equal(["read", "execute"], listed.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task A_read_only_token_cannot_execute_tools_write_or_administer()
    {
        using var client = oauth.Client(oauth.Token("mcp:read", out _));
        var session = await McpHttp.InitializeAsync(client);
        var tools = await McpHttp.RequestAsync(client, session, "tools/list");
        Assert.DoesNotContain(tools.GetProperty("result").GetProperty("tools").EnumerateArray(), t => t.GetProperty("name").GetString()!.StartsWith("model.", StringComparison.Ordinal));
        var call = await McpHttp.RequestAsync(client, session, "tools/call", new { name = "model.sentiment", arguments = new { text = "fine" } });
        Assert.Contains("execute", call.GetProperty("error").GetProperty("message").GetString());

        using var admin = await client.GetAsync("/api/alerts");
        var error = await admin.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("admin", error.GetProperty("required_permission").GetString());
        Assert.Equal($"Bearer error=\"insufficient_scope\", scope=\"mcp:admin\", resource_metadata=\"{MetadataUrl}\"", admin.Headers.WwwAuthenticate.ToString());

        using var write = await client.PostAsJsonAsync("/prompts", Api.PromptRegistryTests.Summarize("token-prompt"));
        await write.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");

        // A key created by the token's key never holds more than the token: the key grain's own rule, unchanged.
        using var create = await client.PostAsJsonAsync("/api/keys", new { owner = "someone", permissions = new[] { "read", "execute" } });
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
    }

    [Fact]
    public async Task An_admin_token_administers()
    {
        using var client = oauth.Client(oauth.Token("openid mcp:admin", out _));
        using var alerts = await client.GetAsync("/api/alerts");
        await alerts.AssertOkAsync();
    }

    [Fact]
    public async Task Token_holders_are_rate_limited_per_subject_like_keys()
    {
        using var first = oauth.Client(oauth.Token("mcp:read", out _));
        var limit = int.Parse(OAuthGateway.RateLimit.Split('/')[0]);
        for (var i = 0; i < limit; i++)
        {
            using var allowed = await first.GetAsync("/api/keys");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
        using (var limited = await first.GetAsync("/api/keys"))
        {
            await limited.AssertErrorAsync(HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        }
        using var other = oauth.Client(oauth.Token("mcp:read", out _));
        using var fresh = await other.GetAsync("/api/keys");
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    public static TheoryData<string> Hostile => new()
    {
        "expired", "other-audience", "other-issuer", "stranger-key", "alg-none", "hs256-public-key", "not-yet-valid", "no-expiry", "no-subject", "garbage",
        "audience-of-the-issuer",
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_hostile_or_broken_token_is_refused_with_an_invalid_token_challenge(string kind)
    {
        var issuer = oauth.Issuer;
        var subject = "mallory-" + kind;
        var now = DateTimeOffset.UtcNow;
        var token = kind switch
        {
            "expired" => issuer.Mint(subject, "mcp:admin", OAuthGateway.Resource, claims: new Dictionary<string, object?>
            {
                ["iat"] = now.AddHours(-2).ToUnixTimeSeconds(), ["nbf"] = now.AddHours(-2).ToUnixTimeSeconds(), ["exp"] = now.AddHours(-1).ToUnixTimeSeconds(),
            }),
            "other-audience" => issuer.Mint(subject, "mcp:admin", "https://other.example/mcp"),
            "audience-of-the-issuer" => issuer.Mint(subject, "mcp:admin", issuer.Issuer),
            "other-issuer" => issuer.Mint(subject, "mcp:admin", OAuthGateway.Resource, claims: new Dictionary<string, object?> { ["iss"] = "https://evil.example" }),
            "stranger-key" => issuer.MintWithStrangerKey(subject, "mcp:admin", OAuthGateway.Resource),
            "alg-none" => issuer.MintUnsigned(subject, "mcp:admin", OAuthGateway.Resource),
            "hs256-public-key" => issuer.MintHs256WithPublicKey(subject, "mcp:admin", OAuthGateway.Resource),
            "not-yet-valid" => issuer.Mint(subject, "mcp:admin", OAuthGateway.Resource, claims: new Dictionary<string, object?> { ["nbf"] = now.AddHours(1).ToUnixTimeSeconds() }),
            "no-expiry" => issuer.Mint(subject, "mcp:admin", OAuthGateway.Resource, claims: new Dictionary<string, object?> { ["exp"] = null }),
            "no-subject" => issuer.Mint(subject, "mcp:admin", OAuthGateway.Resource, claims: new Dictionary<string, object?> { ["sub"] = null }),
            _ => "eyJhbGciOiJSUzI1NiJ9.not-json.!!",
        };
        using var client = oauth.Client(token);
        foreach (var response in new[] { await client.GetAsync("/api/alerts"), await McpHttp.PostAsync(client, null, new { jsonrpc = "2.0", id = 1, method = "ping" }) })
        {
            using (response)
            {
                await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
                var bearer = response.Headers.GetValues("WWW-Authenticate").First();
                Assert.StartsWith($"Bearer resource_metadata=\"{MetadataUrl}\"", bearer);
                Assert.Contains("error=\"invalid_token\"", bearer);
                Assert.Contains("error_description=\"", bearer);
            }
        }
    }

    [Fact]
    public async Task Api_keys_keep_working_beside_tokens_in_both_headers()
    {
        var (_, key) = await oauth.Gateway.CreateKeyAsync(new { owner = "key-beside-oauth", permissions = new[] { "read" } });
        using (var header = oauth.Gateway.CreateClient(key))
        using (var response = await header.GetAsync("/api/keys"))
        {
            await response.AssertOkAsync();
        }
        using (var bearer = oauth.Gateway.CreateBearerClient(key))
        using (var response = await bearer.GetAsync("/api/keys"))
        {
            await response.AssertOkAsync();
        }
        // A wrong key in the Bearer header is still a wrong key, not a token.
        using var wrong = oauth.Gateway.CreateBearerClient(key[..^4] + "aaaa");
        using var refused = await wrong.GetAsync("/api/keys");
        await refused.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task A_revoked_subject_key_shuts_the_subject_out()
    {
        using var client = oauth.Client(oauth.Token("mcp:read", out _));
        var keyId = (await (await client.GetAsync("/api/keys/me")).AssertOkAsync()).GetProperty("key_id").GetString();
        using (var admin = oauth.Gateway.CreateClient(GatewayFactory.AdminKey))
        using (var revoke = await admin.DeleteAsync($"/api/keys/{keyId}"))
        {
            Assert.True(revoke.IsSuccessStatusCode, await revoke.Content.ReadAsStringAsync());
        }
        using var refused = await client.GetAsync("/api/keys");
        await refused.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.Contains("error=\"invalid_token\"", refused.Headers.GetValues("WWW-Authenticate").First());
    }

    [Fact]
    public async Task Discovery_at_the_gateway_itself_points_at_the_issuer()
    {
        using var anonymous = oauth.Gateway.CreateClient(null);
        using var response = await anonymous.GetAsync("/.well-known/oauth-authorization-server");
        var error = await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Contains(oauth.Issuer.Issuer, error.GetProperty("detail").GetString());
    }
}
