using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Mcp.Cluster.Tests.Security;

/// <summary>Counts <see cref="IApiKeyGrain.AuthorizeAsync"/> calls per key grain, in the gateway's co-hosted silo.</summary>
public sealed class AuthorizeCallCounter : IIncomingGrainCallFilter
{
    public ConcurrentDictionary<string, int> Calls { get; } = new();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is IApiKeyGrain && context.InterfaceMethod.Name == nameof(IApiKeyGrain.AuthorizeAsync))
        {
            Calls.AddOrUpdate(context.TargetId.Key.ToString()!, 1, (_, n) => n + 1);
        }
        return context.Invoke();
    }
}

public sealed class CountingGateway() : GatewayFactory(null)
{
    public AuthorizeCallCounter Counter { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IIncomingGrainCallFilter>(Counter));
    }
}

/// <summary>
/// Issue 18: the ApiKey authentication scheme and its authorization handler decide from one key-grain answer: a request
/// that is let through, refused for a permission, or refused for its rate makes exactly one call, and each refusal
/// keeps the documented body and headers.
/// </summary>
[Trait("Tier", "Api")]
public sealed class ApiKeySchemeTests(CountingGateway gateway) : IClassFixture<CountingGateway>
{
    [Fact]
    public async Task Allowed_forbidden_and_rate_limited_requests_each_ask_the_key_grain_once()
    {
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = "scheme-test", permissions = new[] { "read" }, rate_limit = "2/minute" });
        using var client = gateway.CreateClient(apiKey);

        using (var allowed = await client.GetAsync("/api/keys"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Equal("2", allowed.Headers.GetValues("X-RateLimit-Limit").Single());
        }
        Assert.Equal(1, gateway.Counter.Calls.GetValueOrDefault(keyId));

        using (var forbidden = await client.PostAsJsonAsync("/prompts", new { name = "p" }))
        {
            var error = await forbidden.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
            Assert.Equal("write", error.GetProperty("required_permission").GetString());
            Assert.True(forbidden.Headers.Contains("X-RateLimit-Remaining"));
        }
        Assert.Equal(2, gateway.Counter.Calls.GetValueOrDefault(keyId));

        using (var limited = await client.GetAsync("/api/keys"))
        {
            var error = await limited.AssertErrorAsync(HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
            Assert.True(error.TryGetProperty("reset_time", out _));
            Assert.NotNull(limited.Headers.RetryAfter);
        }
        Assert.Equal(3, gateway.Counter.Calls.GetValueOrDefault(keyId));
    }

    [Fact]
    public async Task A_revoked_or_unknown_key_is_challenged_after_one_call_and_a_missing_one_after_none()
    {
        using var anonymous = gateway.CreateClient(null);
        using (var missing = await anonymous.GetAsync("/api/keys"))
        {
            var error = await missing.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
            Assert.StartsWith("Missing API key", error.GetProperty("detail").GetString());
            Assert.Equal("ApiKey header=\"X-API-Key\"", missing.Headers.WwwAuthenticate.ToString());
        }

        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = "scheme-test-2", permissions = new[] { "read" } });
        using (var admin = gateway.CreateClient(GatewayFactory.AdminKey))
        using (var revoke = await admin.DeleteAsync($"/api/keys/{keyId}"))
        {
            Assert.True(revoke.IsSuccessStatusCode, await revoke.Content.ReadAsStringAsync());
        }
        var before = gateway.Counter.Calls.GetValueOrDefault(keyId);
        using var client = gateway.CreateClient(apiKey);
        using (var revoked = await client.GetAsync("/api/keys"))
        {
            var error = await revoked.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
            Assert.Equal("API key has been revoked.", error.GetProperty("detail").GetString());
        }
        Assert.Equal(before + 1, gateway.Counter.Calls.GetValueOrDefault(keyId));
    }
}
