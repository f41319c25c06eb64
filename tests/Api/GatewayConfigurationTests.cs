using System.Net;
using System.Net.Http.Json;
using System.Text;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mcp.Cluster.Tests.Api;

/// <summary>
/// A gateway with self-service off and a 2 KB body limit, shared by the tests of those settings and the log capture
/// test (which creates its keys as the admin).
/// </summary>
public sealed class RestrictedGateway() : GatewayFactory(new Dictionary<string, string?>
{
    ["ApiKeys:AllowSelfService"] = "false",
    ["Gateway:MaxRequestBodyBytes"] = "2048",
});

/// <summary>Tests that need a gateway of other settings than the shared one, restarts, log capture.</summary>
[Trait("Tier", "Api")]
public sealed class GatewayConfigurationTests(RestrictedGateway restricted) : IClassFixture<RestrictedGateway>
{
    [Fact]
    public async Task With_self_service_off_anonymous_creation_gets_401_and_admins_still_create()
    {
        var gateway = restricted;
        using var anonymous = gateway.CreateClient();
        await (await anonymous.PostAsJsonAsync("/api/keys", new { owner = "nobody" })).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        using var malformed = new StringContent("{\"owner\":", Encoding.UTF8, "application/json");
        await (await anonymous.PostAsync("/api/keys", malformed)).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        var (keyId, _) = await gateway.CreateKeyAsync(new { owner = "somebody" });
        Assert.StartsWith("key_", keyId);
    }

    [Fact]
    public async Task Anonymous_self_service_is_rate_limited_per_client_but_keyed_callers_are_not()
    {
        await using var gateway = new GatewayFactory(new Dictionary<string, string?> { ["ApiKeys:SelfServiceRateLimit"] = "3/minute" });
        using var anonymous = gateway.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await anonymous.PostAsJsonAsync("/api/keys", new { owner = $"anon{i}" })).StatusCode);
        }
        using var limited = await anonymous.PostAsJsonAsync("/api/keys", new { owner = "anon3" });
        var body = await limited.AssertErrorAsync(HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.True(body.TryGetProperty("reset_time", out _));

        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/keys", new { owner = "keyed" })).StatusCode);
        }
    }

    [Fact]
    public async Task The_body_size_limit_is_configurable()
    {
        var gateway = restricted;
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var small = await admin.PostAsJsonAsync("/api/keys", new { owner = "x", description = new string('a', 400) });
        Assert.Equal(HttpStatusCode.Created, small.StatusCode);
        var large = await admin.PostAsJsonAsync("/api/keys", new { owner = "x", description = new string('a', 3000) });
        await large.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task Keys_and_quota_counters_survive_a_restart()
    {
        using var data = new TempDirectory();
        string keyId, apiKey;
        await using (var first = new GatewayFactory(new Dictionary<string, string?>(), data.Path))
        {
            (keyId, apiKey) = await first.CreateKeyAsync(new { owner = "durable", daily_quota = 10, rate_limit = "50/hour" });
            using var client = first.CreateClient(apiKey);
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/keys/me")).StatusCode);
            }
        }

        await using var second = new GatewayFactory(new Dictionary<string, string?>(), data.Path);
        using var admin = second.CreateClient(GatewayFactory.AdminKey);
        var usage = await (await admin.GetAsync($"/api/keys/{keyId}/usage")).AssertOkAsync();
        Assert.Equal(4, usage.GetProperty("requests_today").GetInt64());
        Assert.Equal(6, usage.GetProperty("daily_remaining").GetInt64());
        Assert.Equal(46, usage.GetProperty("rate_limit").GetProperty("remaining").GetInt32());

        using var again = second.CreateClient(apiKey);
        using var response = await again.GetAsync("/api/keys/me");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(45, response.IntHeader("X-RateLimit-Remaining"));
        var listed = await (await admin.GetAsync("/api/keys?owner=durable")).AssertOkAsync();
        Assert.Equal(1, listed.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_generated_bootstrap_admin_key_is_made_once_and_kept_across_restarts()
    {
        using var data = new TempDirectory();
        string? firstId;
        await using (var first = new GatewayFactory(new Dictionary<string, string?> { ["ApiKeys:AdminKey"] = null }, data.Path))
        {
            _ = first.Server;
            var grains = first.Services.GetRequiredService<IGrainFactory>();
            firstId = await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global).GetBootstrapAdminKeyIdAsync();
            Assert.NotNull(firstId);
            var key = await grains.GetGrain<IApiKeyGrain>(firstId!).GetAsync();
            Assert.True(key!.Permissions.HasFlag(Permissions.Admin));
        }
        await using var second = new GatewayFactory(new Dictionary<string, string?> { ["ApiKeys:AdminKey"] = null }, data.Path);
        _ = second.Server;
        var directory = second.Services.GetRequiredService<IGrainFactory>().GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global);
        Assert.Equal(firstId, await directory.GetBootstrapAdminKeyIdAsync());
        var admins = await directory.ListAsync("admin", null, null, 0, 10);
        Assert.Equal(1, admins.Total);
    }

    [Fact]
    public void A_malformed_configured_admin_key_stops_startup_with_a_clear_error()
    {
        using var gateway = new GatewayFactory(new Dictionary<string, string?> { ["ApiKeys:AdminKey"] = "hunter2" });
        Assert.ThrowsAny<Exception>(() => gateway.Server);
        // The process logs why at Critical and exits 1 (McpHostRunner), so the reason is in the log, not in a crash.
        Assert.Contains(gateway.Logs, line => line.StartsWith("Critical Mcp.Cluster.Startup", StringComparison.Ordinal)
            && line.Contains("MCP_ADMIN_KEY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Secrets_never_appear_in_the_logs()
    {
        var gateway = restricted;
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = "logged", permissions = new[] { "read", "write" }, rate_limit = "3/minute" });
        using var client = gateway.CreateClient(apiKey);
        await client.GetAsync("/api/keys/me");
        await client.GetAsync("/api/keys/me");
        await client.GetAsync("/api/keys/me");
        await client.GetAsync("/api/keys/me");
        using var bearer = gateway.CreateBearerClient(apiKey[..^1] + (apiKey[^1] == 'a' ? 'b' : 'a'));
        await bearer.GetAsync("/api/keys/me");
        var rotated = await (await gateway.CreateClient(GatewayFactory.AdminKey).PostAsync($"/api/keys/{keyId}/rotate", null)).AssertOkAsync();
        var rotatedKey = rotated.GetProperty("api_key").GetString()!;
        await gateway.CreateClient(rotatedKey).DeleteAsync($"/api/keys/{keyId}");
        await gateway.CreateClient().PostAsync("/api/keys", new StringContent("{\"owner\":", Encoding.UTF8, "application/json"));

        Assert.NotEmpty(gateway.Logs);
        Assert.Contains(gateway.Logs, line => line.Contains(keyId));
        foreach (var secret in new[] { apiKey, rotatedKey, GatewayFactory.AdminKey, GatewayFactory.HashSecret })
        {
            var secretPart = secret.Length > 21 ? secret[21..] : secret;
            Assert.DoesNotContain(gateway.Logs, line => line.Contains(secretPart, StringComparison.Ordinal));
        }
    }
}
