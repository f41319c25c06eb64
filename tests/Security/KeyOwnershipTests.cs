using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// An owner named in an anonymous request is a claim, not an identity: self-service starts new owners only, and
/// keys gain no rights over keys more powerful than themselves (issue 15, items 1 and 2).
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class KeyOwnershipTests(SharedGatewayFactory gateway)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    [Theory]
    [InlineData("admin")]
    [InlineData("Admin")]
    [InlineData("ＡＤＭＩＮ")]
    [InlineData("system")]
    [InlineData("root")]
    [InlineData("admin:backup")]
    [InlineData("system/jobs")]
    public async Task Self_service_cannot_claim_a_reserved_owner(string owner)
    {
        using var anonymous = gateway.CreateClient();
        var error = await (await anonymous.PostJsonAsync("/api/keys", new { owner, permissions = new[] { "read", "write" } }))
            .AssertErrorAsync(HttpStatusCode.Conflict, "owner_unavailable");
        Assert.Contains("reserved", error.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("adm\u200Din")]
    [InlineData("admin\u202E")]
    [InlineData("tab\tbed")]
    public async Task Owners_with_invisible_or_broken_characters_are_refused(string owner)
    {
        using var anonymous = gateway.CreateClient();
        var error = await (await anonymous.PostJsonAsync("/api/keys", new { owner }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal("owner", error.GetProperty("field").GetString());
    }

    [Fact]
    public async Task An_owner_with_an_unpaired_surrogate_is_refused()
    {
        using var anonymous = gateway.CreateClient();
        using var response = await anonymous.PostAsync("/api/keys", JsonContent("{\"owner\":\"adm\\ud800in\"}"));
        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!);
        Assert.Contains(error.GetProperty("error").GetString(), new[] { "invalid_request", "validation_error" });
    }

    [Fact]
    public async Task The_admin_takeover_of_the_issue_is_refused_and_the_admin_key_keeps_working()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var me = await (await admin.GetAsync("/api/keys/me")).AssertOkAsync();
        var adminKeyId = me.GetProperty("key_id").GetString()!;

        using var anonymous = gateway.CreateClient();
        await (await anonymous.PostJsonAsync("/api/keys", new { owner = "admin", permissions = new[] { "read", "write" } }))
            .AssertErrorAsync(HttpStatusCode.Conflict, "owner_unavailable");

        // Whatever a stranger does get cannot reach the admin key.
        var stranger = await (await anonymous.PostJsonAsync("/api/keys", new { owner = Unique("stranger"), permissions = new[] { "read", "write" } }))
            .AssertOkAsync(HttpStatusCode.Created);
        using var client = gateway.CreateClient(stranger.GetProperty("api_key").GetString()!);
        await (await client.PostJsonAsync($"/api/keys/{adminKeyId}/rotate", new { grace_period_seconds = 0 }))
            .AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
        await (await client.DeleteAsync($"/api/keys/{adminKeyId}")).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
        await (await client.GetAsync("/api/keys?owner=admin")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/keys/me")).StatusCode);
    }

    [Fact]
    public async Task Self_service_never_joins_an_owner_that_exists()
    {
        var team = Unique("team");
        var (teamKeyId, teamKey) = await gateway.CreateKeyAsync(new { owner = team, permissions = new[] { "read", "write" } });

        using var anonymous = gateway.CreateClient();
        var error = await (await anonymous.PostJsonAsync("/api/keys", new { owner = team, permissions = new[] { "read", "write" } }))
            .AssertErrorAsync(HttpStatusCode.Conflict, "owner_unavailable");
        Assert.Equal(team, error.GetProperty("owner").GetString());
        await (await anonymous.PostJsonAsync("/api/keys", new { owner = team.ToUpperInvariant() }))
            .AssertErrorAsync(HttpStatusCode.Conflict, "owner_unavailable");

        // An owner started by self-service is taken from then on, also for the next stranger.
        var fresh = Unique("fresh");
        var first = await (await anonymous.PostJsonAsync("/api/keys", new { owner = fresh })).AssertOkAsync(HttpStatusCode.Created);
        await (await anonymous.PostJsonAsync("/api/keys", new { owner = fresh })).AssertErrorAsync(HttpStatusCode.Conflict, "owner_unavailable");

        // The owner's own keys still create more keys for it.
        using var teamClient = gateway.CreateClient(teamKey);
        await (await teamClient.PostJsonAsync("/api/keys", new { owner = team, permissions = new[] { "read" } })).AssertOkAsync(HttpStatusCode.Created);
        var listed = await (await teamClient.GetAsync("/api/keys")).AssertOkAsync();
        Assert.Equal(2, listed.GetProperty("total").GetInt32());
        Assert.Contains(teamKeyId, listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key_id").GetString()));
        Assert.Equal(fresh, first.GetProperty("owner").GetString());
    }

    [Fact]
    public async Task A_stranger_cannot_take_over_an_owners_models()
    {
        var team = Unique("models");
        var (_, teamKey) = await gateway.CreateKeyAsync(new { owner = team, permissions = new[] { "read", "write", "execute" } });
        using var teamClient = gateway.CreateClient(teamKey);
        var name = Unique("owned-model");
        var model = await (await teamClient.PostJsonAsync("/api/models", new
        {
            name, version = "1.0.0", provider = "builtin", config = new { model = "sentiment" },
        })).AssertOkAsync(HttpStatusCode.Created);
        var modelId = model.GetProperty("model_id").GetString()!;

        using var anonymous = gateway.CreateClient();
        await (await anonymous.PostJsonAsync("/api/keys", new { owner = team, permissions = new[] { "read", "write" } }))
            .AssertErrorAsync(HttpStatusCode.Conflict, "owner_unavailable");
        var stranger = await (await anonymous.PostJsonAsync("/api/keys", new { owner = Unique("other"), permissions = new[] { "read", "write" } }))
            .AssertOkAsync(HttpStatusCode.Created);
        using var strangerClient = gateway.CreateClient(stranger.GetProperty("api_key").GetString()!);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/models/{modelId}")
        {
            Content = JsonContent("{\"description\":\"mine now\"}"),
        };
        await (await strangerClient.SendAsync(patch)).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task An_owner_an_admin_granted_data_to_cannot_be_claimed_by_a_stranger()
    {
        var owner = Unique("granted");
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        await (await admin.PutAsync($"/api/datasources/homebuilders_db/grants/owner:{owner}",
            JsonContent("{}"))).AssertOkAsync();

        using var anonymous = gateway.CreateClient();
        await (await anonymous.PostJsonAsync("/api/keys", new { owner })).AssertErrorAsync(HttpStatusCode.Conflict, "owner_unavailable");
    }

    [Fact]
    public async Task Of_strangers_racing_for_one_new_owner_exactly_one_gets_a_key()
    {
        var owner = Unique("race");
        using var anonymous = gateway.CreateClient();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => anonymous.PostJsonAsync("/api/keys", new { owner })));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_key_manages_itself_and_the_keys_it_created_never_siblings_parents_or_stronger_keys()
    {
        var owner = Unique("lineage");
        var (adminId, adminKey) = await gateway.CreateKeyAsync(new { owner, permissions = new[] { "read", "write", "admin" } });
        var (executeId, _) = await gateway.CreateKeyAsync(new { owner, permissions = new[] { "read", "write", "execute" } });
        var (siblingId, _) = await gateway.CreateKeyAsync(new { owner, permissions = new[] { "read" } });
        var (parentId, parentKey) = await gateway.CreateKeyAsync(new { owner, permissions = new[] { "read", "write" } });
        using var parent = gateway.CreateClient(parentKey);
        var child = await (await parent.PostJsonAsync("/api/keys", new { owner, permissions = new[] { "read", "write" }, rate_limit = "5/minute" }))
            .AssertOkAsync(HttpStatusCode.Created);
        var childId = child.GetProperty("key_id").GetString()!;
        using var childClient = gateway.CreateClient(child.GetProperty("api_key").GetString()!);
        var grandchildId = (await (await childClient.PostJsonAsync("/api/keys", new { owner })).AssertOkAsync(HttpStatusCode.Created))
            .GetProperty("key_id").GetString()!;

        // Stronger keys and siblings (even weaker ones) look like missing keys: reading, rotating (which hands out the
        // secret) and revoking them is refused alike.
        foreach (var other in new[] { adminId, executeId, siblingId })
        {
            await (await parent.GetAsync($"/api/keys/{other}")).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
            await (await parent.GetAsync($"/api/keys/{other}/usage")).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
            await (await parent.PostJsonAsync($"/api/keys/{other}/rotate", new { grace_period_seconds = 0 }))
                .AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
            await (await parent.DeleteAsync($"/api/keys/{other}")).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
        }
        // A child never reaches its parent (a limited child rotating its parent would receive the parent's power).
        await (await childClient.PostJsonAsync($"/api/keys/{parentId}/rotate", new { grace_period_seconds = 86400 }))
            .AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
        await (await childClient.DeleteAsync($"/api/keys/{parentId}")).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");

        Assert.Equal([parentId, childId, grandchildId], await ListedAsync(parent));
        Assert.Equal([childId, grandchildId], await ListedAsync(childClient));

        // The stronger keys were left alone: the admin-holding key still works with its old secret.
        using var stillAdmin = gateway.CreateClient(adminKey);
        Assert.Equal(HttpStatusCode.OK, (await stillAdmin.GetAsync("/logs")).StatusCode);

        // What a key created, directly or not, is its to manage.
        var rotated = await (await parent.PostJsonAsync($"/api/keys/{grandchildId}/rotate", new { grace_period_seconds = 0 })).AssertOkAsync();
        // Asked for without permissions, the grandchild got the defaults (read, write, execute) within its creator's own.
        Assert.Equal(["read", "write"], rotated.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        await (await parent.DeleteAsync($"/api/keys/{childId}")).AssertOkAsync();

        // An admin manages them all.
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        await (await admin.PostJsonAsync($"/api/keys/{executeId}/rotate", new { grace_period_seconds = 0 })).AssertOkAsync();
        var all = await (await admin.GetAsync($"/api/keys?owner={owner}")).AssertOkAsync();
        Assert.Equal(6, all.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_key_an_admin_issues_for_an_owner_a_stranger_started_stays_out_of_the_strangers_reach()
    {
        var owner = Unique("squat");
        using var anonymous = gateway.CreateClient();
        var squatter = await (await anonymous.PostJsonAsync("/api/keys", new { owner, permissions = new[] { "read", "write" } })).AssertOkAsync(HttpStatusCode.Created);
        using var squatterClient = gateway.CreateClient(squatter.GetProperty("api_key").GetString()!);
        var (issuedId, issuedKey) = await gateway.CreateKeyAsync(new { owner, permissions = new[] { "read", "write" }, rate_limit = "50/minute" });

        Assert.DoesNotContain(issuedId, await ListedAsync(squatterClient));
        await (await squatterClient.PostJsonAsync($"/api/keys/{issuedId}/rotate", new { grace_period_seconds = 0 }))
            .AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
        using var issued = gateway.CreateClient(issuedKey);
        Assert.Equal(HttpStatusCode.OK, (await issued.GetAsync("/api/keys/me")).StatusCode);
    }

    [Fact]
    public async Task A_key_cannot_rotate_a_descendant_less_limited_than_itself()
    {
        // Keys created today never exceed their creator; one created before that rule (made here with the issuer, as
        // the gateway's own code would have) still must not be rotated into the hands of a more limited ancestor.
        var owner = Unique("legacy-child");
        var (parentId, parentKey) = await gateway.CreateKeyAsync(new { owner, permissions = new[] { "read", "write" }, rate_limit = "30/minute", daily_quota = 1000 });
        var issuer = gateway.Services.GetRequiredService<ApiKeyIssuer>();
        var (child, childKey) = await issuer.IssueAsync(new ApiKeyTerms(owner, "legacy", Permissions.Read | Permissions.Write,
            new RateLimit(60, TimeSpan.FromMinutes(1)), QuotaLimits.Unlimited, null), parentId);

        using var parent = gateway.CreateClient(parentKey);
        var error = await (await parent.PostJsonAsync($"/api/keys/{child.KeyId}/rotate", new { grace_period_seconds = 0 }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("higher rate limit", error.GetProperty("detail").GetString());
        using var childClient = gateway.CreateClient(childKey);
        Assert.Equal(HttpStatusCode.OK, (await childClient.GetAsync("/api/keys/me")).StatusCode);
    }

    [Fact]
    public async Task A_longer_window_cannot_smuggle_a_bigger_burst_past_a_rate_limit()
    {
        using var anonymous = gateway.CreateClient();
        await (await anonymous.PostJsonAsync("/api/keys", new { owner = Unique("burst"), rate_limit = "144000/day" }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        var owner = Unique("burst-parent");
        var (_, parentKey) = await gateway.CreateKeyAsync(new { owner, permissions = new[] { "read", "write" }, rate_limit = "5/minute" });
        using var parent = gateway.CreateClient(parentKey);
        await (await parent.PostJsonAsync("/api/keys", new { owner, rate_limit = "7200/day" })).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        // A slower limit with no bigger burst is fine.
        var slower = await (await parent.PostJsonAsync("/api/keys", new { owner, rate_limit = "5/hour" })).AssertOkAsync(HttpStatusCode.Created);
        Assert.Equal("5/hour", slower.GetProperty("rate_limit").GetString());
    }

    private static async Task<string[]> ListedAsync(HttpClient client)
    {
        var listed = await (await client.GetAsync("/api/keys")).AssertOkAsync();
        var ids = listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key_id").GetString()!).ToArray();
        Assert.Equal(ids.Length, listed.GetProperty("total").GetInt32());
        return ids;
    }

    [Fact]
    public async Task A_limited_key_cannot_mint_a_less_limited_one()
    {
        var owner = Unique("limited");
        var (_, limitedKey) = await gateway.CreateKeyAsync(new
        {
            owner, permissions = new[] { "read", "write" }, rate_limit = "20/minute", daily_quota = 20, monthly_quota = 50,
            tokens_per_minute = 1000, tokens_per_day = 5000, expires_in_days = 2,
        });
        using var limited = gateway.CreateClient(limitedKey);
        foreach (var (field, body) in new (string, object)[]
        {
            ("rate_limit", new { owner, rate_limit = "50/minute" }),
            ("daily_quota", new { owner, daily_quota = 1000 }),
            ("monthly_quota", new { owner, monthly_quota = 51 }),
            ("tokens_per_minute", new { owner, tokens_per_minute = 1001 }),
            ("tokens_per_day", new { owner, tokens_per_day = 999999 }),
            ("expires_in_days", new { owner, expires_in_days = 30 }),
        })
        {
            var error = await (await limited.PostJsonAsync("/api/keys", body)).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
            Assert.Contains(field == "rate_limit" ? "rate limit" : field == "expires_in_days" ? "outlives" : field, error.GetProperty("detail").GetString());
        }

        // What it leaves out, it passes on.
        var inherited = await (await limited.PostJsonAsync("/api/keys", new { owner })).AssertOkAsync(HttpStatusCode.Created);
        Assert.Equal("20/minute", inherited.GetProperty("rate_limit").GetString());
        Assert.Equal(20, inherited.GetProperty("daily_quota").GetInt64());
        Assert.Equal(50, inherited.GetProperty("monthly_quota").GetInt64());
        Assert.Equal(1000, inherited.GetProperty("tokens_per_minute").GetInt64());
        Assert.Equal(5000, inherited.GetProperty("tokens_per_day").GetInt64());
        Assert.InRange(inherited.GetProperty("expires_at").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(1.9), DateTimeOffset.UtcNow.AddDays(2.1));

        var batch = await limited.PostJsonAsync("/api/keys/batch", new { keys = new object[] { new { owner }, new { owner, daily_quota = 21 } } });
        await batch.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
