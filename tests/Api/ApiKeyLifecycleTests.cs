using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Api;

[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class ApiKeyLifecycleTests(SharedGatewayFactory gateway)
{
    [Fact]
    public async Task Self_service_creation_returns_the_secret_once_and_the_key_works()
    {
        using var anonymous = gateway.CreateClient();
        var owner = "alice-" + Guid.NewGuid().ToString("N")[..8];
        using var created = await anonymous.PostJsonAsync("/api/keys", new { owner, description = "laptop", expires_in_days = 30 });
        var body = await created.AssertOkAsync(HttpStatusCode.Created);

        var keyId = body.GetProperty("key_id").GetString()!;
        var apiKey = body.GetProperty("api_key").GetString()!;
        Assert.Matches("^key_[a-z2-7]{16}$", keyId);
        Assert.Matches("^mcp_[a-z2-7]{16}_[a-z2-7]{52}$", apiKey);
        Assert.Equal(keyId[4..], apiKey[4..20]);
        Assert.Equal(owner, body.GetProperty("owner").GetString());
        Assert.Equal(["read", "write", "execute"], body.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("100/minute", body.GetProperty("rate_limit").GetString());
        Assert.InRange(body.GetProperty("expires_at").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(29.9), DateTimeOffset.UtcNow.AddDays(30.1));
        Assert.Equal($"/api/keys/{keyId}", created.Headers.Location?.ToString());

        using var client = gateway.CreateClient(apiKey);
        using var me = await client.GetAsync("/api/keys/me");
        var info = await me.AssertOkAsync();
        Assert.Equal(keyId, info.GetProperty("key_id").GetString());
        Assert.Equal("active", info.GetProperty("status").GetString());
        Assert.False(info.TryGetProperty("api_key", out _));
        Assert.DoesNotContain(apiKey[21..], info.GetRawText());

        using var fetched = await client.GetAsync($"/api/keys/{keyId}");
        Assert.DoesNotContain(apiKey[21..], await fetched.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bearer_and_header_authentication_both_work()
    {
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = "bearer-user" });
        using var bearer = gateway.CreateBearerClient(apiKey);
        var body = await (await bearer.GetAsync("/api/keys/me")).AssertOkAsync();
        Assert.Equal(keyId, body.GetProperty("key_id").GetString());
        using var header = gateway.CreateClient(apiKey);
        Assert.Equal(HttpStatusCode.OK, (await header.GetAsync("/api/keys/me")).StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-key")]
    [InlineData("mcp_aaaaaaaaaaaaaaaa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("mcp_zzzzzzzzzzzzzzzz_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")]
    [InlineData("mcp_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbc")]
    public async Task Missing_malformed_unknown_or_wrong_keys_get_401(string? apiKey)
    {
        using var client = gateway.CreateClient(string.IsNullOrEmpty(apiKey) ? null : apiKey);
        using var response = await client.GetAsync("/api/keys");
        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.False(response.Headers.Contains("X-RateLimit-Limit"));
        Assert.NotEmpty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Revocation_takes_effect_on_the_very_next_request()
    {
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = "revoke-me", permissions = new[] { "read", "write" } });
        using var client = gateway.CreateClient(apiKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/keys/me")).StatusCode);

        var revoked = await (await client.DeleteAsync($"/api/keys/{keyId}")).AssertOkAsync();
        Assert.Equal("revoked", revoked.GetProperty("status").GetString());

        var error = await (await client.GetAsync("/api/keys/me")).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.Contains("revoked", error.GetProperty("detail").GetString());

        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var seen = await (await admin.GetAsync($"/api/keys/{keyId}")).AssertOkAsync();
        Assert.Equal("revoked", seen.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Expired_keys_get_401()
    {
        var issuer = gateway.Services.GetRequiredService<Mcp.Cluster.Gateway.ApiKeys.ApiKeyIssuer>();
        var (key, apiKey) = await issuer.IssueAsync(new Mcp.Cluster.ApiKeys.ApiKeyTerms(
            "expiring", null, Mcp.Cluster.ApiKeys.Permissions.Read, Mcp.Cluster.ApiKeys.RateLimit.Default,
            Mcp.Cluster.ApiKeys.QuotaLimits.Unlimited, DateTimeOffset.UtcNow.AddSeconds(1)), "test");
        using var client = gateway.CreateClient(apiKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/keys/me")).StatusCode);
        using var expired = await ModelTestHelpers.FirstAnswerOtherThanAsync(() => client.GetAsync("/api/keys/me"), HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the key to expire");
        var error = await expired.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.Contains("expired", error.GetProperty("detail").GetString());

        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var seen = await (await admin.GetAsync($"/api/keys/{key.KeyId}")).AssertOkAsync();
        Assert.Equal("expired", seen.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Read_only_keys_are_forbidden_to_write_and_still_metered()
    {
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = "reader", permissions = new[] { "read" }, rate_limit = "10/minute" });
        using var client = gateway.CreateClient(apiKey);

        using var delete = await client.DeleteAsync($"/api/keys/{keyId}");
        var error = await delete.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("write", error.GetProperty("required_permission").GetString());
        Assert.Equal(10, delete.IntHeader("X-RateLimit-Limit"));
        Assert.Equal(9, delete.IntHeader("X-RateLimit-Remaining"));

        using var create = await client.PostJsonAsync("/api/keys", new { owner = "reader" });
        await create.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("active", (await (await client.GetAsync("/api/keys/me")).AssertOkAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Self_service_can_never_get_admin_or_a_raised_rate_limit()
    {
        using var anonymous = gateway.CreateClient();
        var mallory = "mallory-" + Guid.NewGuid().ToString("N")[..8];
        await (await anonymous.PostJsonAsync("/api/keys", new { owner = mallory, permissions = new[] { "read", "admin" } }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await anonymous.PostJsonAsync("/api/keys", new { owner = mallory, rate_limit = "1000/minute" }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await anonymous.PostJsonAsync("/api/keys", new { owner = mallory, rate_limit = "10/second" }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        var allowed = await (await anonymous.PostJsonAsync("/api/keys", new { owner = mallory, rate_limit = "50/minute", permissions = new[] { "read", "execute" } }))
            .AssertOkAsync(HttpStatusCode.Created);
        Assert.Equal("50/minute", allowed.GetProperty("rate_limit").GetString());
    }

    [Fact]
    public async Task Non_admin_keys_create_only_for_their_owner_and_only_what_they_hold()
    {
        var (_, apiKey) = await gateway.CreateKeyAsync(new { owner = "team-a", permissions = new[] { "read", "write" } });
        using var client = gateway.CreateClient(apiKey);
        await (await client.PostJsonAsync("/api/keys", new { owner = "team-b" })).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await client.PostJsonAsync("/api/keys", new { owner = "team-a", permissions = new[] { "execute" } }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        var created = await (await client.PostJsonAsync("/api/keys", new { owner = "team-a", permissions = new[] { "read" } }))
            .AssertOkAsync(HttpStatusCode.Created);
        Assert.Equal("team-a", created.GetProperty("owner").GetString());
    }

    [Fact]
    public async Task Admin_creates_any_key_and_lists_all_while_others_see_only_their_owner()
    {
        var owner = "lister-" + Guid.NewGuid().ToString("N")[..8];
        var (firstId, firstKey) = await gateway.CreateKeyAsync(new { owner, permissions = new[] { "read", "write" } });
        var (secondId, _) = await gateway.CreateKeyAsync(new { owner, permissions = new[] { "admin" }, rate_limit = "5000/minute" });
        var (otherId, otherKey) = await gateway.CreateKeyAsync(new { owner = owner + "-other" });

        using var client = gateway.CreateClient(firstKey);
        var mine = await (await client.GetAsync("/api/keys")).AssertOkAsync();
        var ids = mine.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key_id").GetString()!).ToArray();
        // The same owner's admin key holds more than the caller, so it is not the caller's to see.
        Assert.Equal([firstId], ids);
        Assert.Equal(1, mine.GetProperty("total").GetInt32());
        await (await client.GetAsync($"/api/keys/{secondId}")).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");

        await (await client.GetAsync($"/api/keys/{otherId}")).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
        await (await client.DeleteAsync($"/api/keys/{otherId}")).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
        await (await client.GetAsync($"/api/keys?owner={owner}-other")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        using var other = gateway.CreateClient(otherKey);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/keys/me")).StatusCode);

        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var filtered = await (await admin.GetAsync($"/api/keys?owner={owner}")).AssertOkAsync();
        Assert.Equal(2, filtered.GetProperty("total").GetInt32());
        var everything = await (await admin.GetAsync("/api/keys?limit=100")).AssertOkAsync();
        Assert.True(everything.GetProperty("total").GetInt32() >= 4);
        var page = await (await admin.GetAsync("/api/keys?offset=1&limit=2")).AssertOkAsync();
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
        Assert.Equal(1, page.GetProperty("offset").GetInt32());
    }

    [Fact]
    public async Task Rotation_invalidates_the_old_secret_unless_a_grace_period_is_given()
    {
        var (keyId, oldKey) = await gateway.CreateKeyAsync(new { owner = "rotator", permissions = new[] { "read", "write" } });
        using var old = gateway.CreateClient(oldKey);
        var rotated = await (await old.PostAsync($"/api/keys/{keyId}/rotate", null)).AssertOkAsync();
        var newKey = rotated.GetProperty("api_key").GetString()!;
        Assert.Equal(keyId, rotated.GetProperty("key_id").GetString());
        Assert.NotEqual(oldKey, newKey);
        await (await old.GetAsync("/api/keys/me")).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");

        using var current = gateway.CreateClient(newKey);
        var graceful = await (await current.PostJsonAsync($"/api/keys/{keyId}/rotate", new { grace_period_seconds = 60 })).AssertOkAsync();
        Assert.InRange(graceful.GetProperty("previous_key_valid_until").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddSeconds(50), DateTimeOffset.UtcNow.AddSeconds(61));
        using var newest = gateway.CreateClient(graceful.GetProperty("api_key").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await current.GetAsync("/api/keys/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await newest.GetAsync("/api/keys/me")).StatusCode);

        await (await newest.PostJsonAsync($"/api/keys/{keyId}/rotate", new { grace_period_seconds = 999999 }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
    }

    [Fact]
    public async Task Batch_creation_costs_one_unit_per_key_and_is_refused_whole()
    {
        var (_, apiKey) = await gateway.CreateKeyAsync(new { owner = "batcher", permissions = new[] { "read", "write" }, rate_limit = "10/minute" });
        using var client = gateway.CreateClient(apiKey);
        object Keys(int n) => new { keys = Enumerable.Range(0, n).Select(i => new { owner = "batcher", description = $"k{i}" }).ToArray() };

        using var first = await client.PostJsonAsync("/api/keys/batch", Keys(4));
        var created = await first.AssertOkAsync(HttpStatusCode.Created);
        Assert.Equal(4, created.GetProperty("keys").GetArrayLength());
        Assert.Equal(6, first.IntHeader("X-RateLimit-Remaining"));

        using var tooMany = await client.PostJsonAsync("/api/keys/batch", Keys(7));
        var refused = await tooMany.AssertErrorAsync(HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        Assert.Equal(7, refused.GetProperty("cost").GetInt32());
        Assert.Equal(6, tooMany.IntHeader("X-RateLimit-Remaining"));

        using var fits = await client.PostJsonAsync("/api/keys/batch", Keys(6));
        await fits.AssertOkAsync(HttpStatusCode.Created);
        Assert.Equal(0, fits.IntHeader("X-RateLimit-Remaining"));

        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var listed = await (await admin.GetAsync("/api/keys?owner=batcher")).AssertOkAsync();
        Assert.Equal(1 + 4 + 6, listed.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_batch_with_one_bad_item_creates_nothing()
    {
        var owner = "batch-atomic-" + Guid.NewGuid().ToString("N")[..8];
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var body = new { keys = new object[] { new { owner }, new { owner, permissions = new[] { "root" } } } };
        var error = await (await admin.PostJsonAsync("/api/keys/batch", body)).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal("keys[1].permissions", error.GetProperty("field").GetString());
        var listed = await (await admin.GetAsync($"/api/keys?owner={owner}")).AssertOkAsync();
        Assert.Equal(0, listed.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Batches_over_the_maximum_size_are_refused_at_a_cost_of_one()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var body = new { keys = Enumerable.Range(0, 101).Select(_ => new { owner = "huge" }).ToArray() };
        using var response = await admin.PostJsonAsync("/api/keys/batch", body);
        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "batch_too_large");
        Assert.Equal(100, error.GetProperty("max_batch_size").GetInt32());
        var listed = await (await admin.GetAsync("/api/keys?owner=huge")).AssertOkAsync();
        Assert.Equal(0, listed.GetProperty("total").GetInt32());
    }
}
