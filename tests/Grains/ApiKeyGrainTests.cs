using System.Text;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Mcp.Cluster.Tests.Grains;

[Collection(ClusterCollection.Name)]
[Trait("Tier", "Grain")]
public sealed class ApiKeyGrainTests(ClusterFixture fixture)
{
    private readonly ApiKeyHasher _hasher = new(Encoding.UTF8.GetBytes("grain-tests-hash-secret-0123456789abcdef"));

    private async Task<(IApiKeyGrain Grain, string ApiKey)> CreateAsync(
        Permissions permissions = Permissions.Read, RateLimit? rateLimit = null, QuotaLimits? quotas = null, DateTimeOffset? expiresAt = null)
    {
        var (keyId, apiKey) = ApiKeyFormat.Generate();
        var grain = fixture.Grains.GetGrain<IApiKeyGrain>(keyId);
        var created = await grain.CreateAsync(new NewApiKey("owner-" + keyId, "test", permissions, rateLimit ?? RateLimit.Default,
            quotas ?? QuotaLimits.Unlimited, expiresAt, _hasher.Hash(apiKey), ApiKeyFormat.DisplayPrefix(apiKey), "test"));
        Assert.NotNull(created);
        return (grain, apiKey);
    }

    private AccessRequest Request(string apiKey, Permissions required = Permissions.Read, int cost = 1) => new(_hasher.Hash(apiKey), required, cost);

    [Fact]
    public async Task Create_then_get_returns_the_key_and_a_second_create_is_refused()
    {
        var (grain, apiKey) = await CreateAsync(Permissions.Read | Permissions.Execute);
        var info = await grain.GetAsync();
        Assert.NotNull(info);
        Assert.Equal(Permissions.Read | Permissions.Execute, info!.Permissions);
        Assert.Equal(ApiKeyStatus.Active, info.StatusAt(DateTimeOffset.UtcNow));
        Assert.StartsWith(apiKey[..20], info.KeyPrefix);
        Assert.DoesNotContain(apiKey[21..], info.KeyPrefix);

        var again = await grain.CreateAsync(new NewApiKey("x", null, Permissions.Admin, RateLimit.Default, QuotaLimits.Unlimited, null,
            _hasher.Hash("other"), "p", "t"));
        Assert.Null(again);
        Assert.Equal(Permissions.Read | Permissions.Execute, (await grain.GetAsync())!.Permissions);
    }

    [Fact]
    public async Task Wrong_secret_for_an_existing_id_is_unknown_and_unknown_ids_are_unknown()
    {
        var (grain, apiKey) = await CreateAsync();
        var forged = ApiKeyFormat.Regenerate(grain.GetPrimaryKeyString());
        Assert.Equal(AccessOutcome.UnknownKey, (await grain.AuthorizeAsync(Request(forged))).Outcome);
        Assert.Equal(AccessOutcome.Allowed, (await grain.AuthorizeAsync(Request(apiKey))).Outcome);

        var (missingId, missingKey) = ApiKeyFormat.Generate();
        var missing = await fixture.Grains.GetGrain<IApiKeyGrain>(missingId).AuthorizeAsync(Request(missingKey));
        Assert.Equal(AccessOutcome.UnknownKey, missing.Outcome);
        Assert.False(missing.IsAuthenticated);
    }

    [Fact]
    public async Task Rate_limit_allows_exactly_the_limit_then_refuses()
    {
        var (grain, apiKey) = await CreateAsync(rateLimit: new RateLimit(5, TimeSpan.FromMinutes(1)));
        for (var i = 1; i <= 5; i++)
        {
            var decision = await grain.AuthorizeAsync(Request(apiKey));
            Assert.Equal(AccessOutcome.Allowed, decision.Outcome);
            Assert.Equal(5 - i, decision.Remaining);
            Assert.Equal(5, decision.Limit);
        }
        var refused = await grain.AuthorizeAsync(Request(apiKey));
        Assert.Equal(AccessOutcome.RateLimited, refused.Outcome);
        Assert.Equal(0, refused.Remaining);
        Assert.InRange(refused.ResetAt - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(61));
    }

    [Fact]
    public async Task A_batch_larger_than_what_remains_is_refused_whole()
    {
        var (grain, apiKey) = await CreateAsync(rateLimit: new RateLimit(10, TimeSpan.FromMinutes(1)));
        Assert.Equal(AccessOutcome.Allowed, (await grain.AuthorizeAsync(Request(apiKey, cost: 7))).Outcome);
        var tooBig = await grain.AuthorizeAsync(Request(apiKey, cost: 4));
        Assert.Equal(AccessOutcome.RateLimited, tooBig.Outcome);
        Assert.Equal(3, tooBig.Remaining);
        var fits = await grain.AuthorizeAsync(Request(apiKey, cost: 3));
        Assert.Equal(AccessOutcome.Allowed, fits.Outcome);
        Assert.Equal(0, fits.Remaining);
        var usage = await grain.GetUsageAsync();
        Assert.Equal(10, usage!.RequestsToday);
        Assert.Equal(1, usage.RejectedRequests);
    }

    [Fact]
    public async Task Concurrent_requests_never_exceed_the_limit()
    {
        var (grain, apiKey) = await CreateAsync(rateLimit: new RateLimit(25, TimeSpan.FromMinutes(1)));
        var decisions = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => grain.AuthorizeAsync(Request(apiKey))));
        Assert.Equal(25, decisions.Count(d => d.Outcome == AccessOutcome.Allowed));
        Assert.Equal(75, decisions.Count(d => d.Outcome == AccessOutcome.RateLimited));
    }

    [Fact]
    public async Task Missing_permission_is_forbidden_and_costs_one_unit()
    {
        var (grain, apiKey) = await CreateAsync(Permissions.Read, rateLimit: new RateLimit(3, TimeSpan.FromMinutes(1)));
        var forbidden = await grain.AuthorizeAsync(Request(apiKey, Permissions.Execute, cost: 2));
        Assert.Equal(AccessOutcome.Forbidden, forbidden.Outcome);
        Assert.Equal(2, forbidden.Remaining);
        Assert.Equal(AccessOutcome.Allowed, (await grain.AuthorizeAsync(Request(apiKey, Permissions.Read))).Outcome);
        Assert.Equal(1, (await grain.GetUsageAsync())!.RequestsToday);
    }

    [Fact]
    public async Task Admin_satisfies_every_permission()
    {
        var (grain, apiKey) = await CreateAsync(Permissions.Admin);
        foreach (var permission in new[] { Permissions.Read, Permissions.Write, Permissions.Execute, Permissions.Admin })
        {
            Assert.Equal(AccessOutcome.Allowed, (await grain.AuthorizeAsync(Request(apiKey, permission))).Outcome);
        }
    }

    [Fact]
    public async Task Revoked_and_expired_keys_are_refused()
    {
        var (grain, apiKey) = await CreateAsync();
        Assert.True(await grain.RevokeAsync("test"));
        Assert.Equal(AccessOutcome.Revoked, (await grain.AuthorizeAsync(Request(apiKey))).Outcome);
        Assert.Equal(ApiKeyStatus.Revoked, (await grain.GetAsync())!.StatusAt(DateTimeOffset.UtcNow));

        var (expiring, expiringKey) = await CreateAsync(expiresAt: DateTimeOffset.UtcNow.AddMilliseconds(300));
        Assert.Equal(AccessOutcome.Allowed, (await expiring.AuthorizeAsync(Request(expiringKey))).Outcome);
        Assert.Equal(AccessOutcome.Expired, await FirstOutcomeOtherThanAllowedAsync(expiring, expiringKey));
    }

    [Fact]
    public async Task Daily_quota_is_enforced_and_reported()
    {
        var (grain, apiKey) = await CreateAsync(quotas: new QuotaLimits(Daily: 3, Monthly: 100));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(AccessOutcome.Allowed, (await grain.AuthorizeAsync(Request(apiKey))).Outcome);
        }
        var refused = await grain.AuthorizeAsync(Request(apiKey));
        Assert.Equal(AccessOutcome.DailyQuotaExceeded, refused.Outcome);
        Assert.Equal(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(1), refused.QuotaResetAt!.Value.UtcDateTime);
        var usage = await grain.GetUsageAsync();
        Assert.Equal(3, usage!.RequestsToday);
        Assert.Equal(3, usage.RequestsThisMonth);
        Assert.Equal(3, usage.TotalRequests);
    }

    [Fact]
    public async Task Monthly_quota_is_enforced()
    {
        var (grain, apiKey) = await CreateAsync(quotas: new QuotaLimits(Daily: null, Monthly: 2));
        Assert.Equal(AccessOutcome.Allowed, (await grain.AuthorizeAsync(Request(apiKey, cost: 2))).Outcome);
        Assert.Equal(AccessOutcome.MonthlyQuotaExceeded, (await grain.AuthorizeAsync(Request(apiKey))).Outcome);
    }

    [Fact]
    public async Task Rotation_replaces_the_secret_and_honours_the_grace_period()
    {
        var (grain, oldKey) = await CreateAsync();
        var newKey = ApiKeyFormat.Regenerate(grain.GetPrimaryKeyString());
        var rotated = await grain.RotateAsync(_hasher.Hash(newKey), ApiKeyFormat.DisplayPrefix(newKey), TimeSpan.Zero);
        Assert.NotNull(rotated!.RotatedAt);
        Assert.Equal(AccessOutcome.UnknownKey, (await grain.AuthorizeAsync(Request(oldKey))).Outcome);
        Assert.Equal(AccessOutcome.Allowed, (await grain.AuthorizeAsync(Request(newKey))).Outcome);

        var newest = ApiKeyFormat.Regenerate(grain.GetPrimaryKeyString());
        await grain.RotateAsync(_hasher.Hash(newest), ApiKeyFormat.DisplayPrefix(newest), TimeSpan.FromMilliseconds(500));
        Assert.Equal(AccessOutcome.Allowed, (await grain.AuthorizeAsync(Request(newKey))).Outcome);
        Assert.Equal(AccessOutcome.Allowed, (await grain.AuthorizeAsync(Request(newest))).Outcome);
        Assert.Equal(AccessOutcome.UnknownKey, await FirstOutcomeOtherThanAllowedAsync(grain, newKey));
        Assert.Equal(AccessOutcome.Allowed, (await grain.AuthorizeAsync(Request(newest))).Outcome);
    }

    [Fact]
    public async Task A_revoked_key_cannot_be_rotated()
    {
        var (grain, _) = await CreateAsync();
        await grain.RevokeAsync("test");
        var newKey = ApiKeyFormat.Regenerate(grain.GetPrimaryKeyString());
        Assert.Null(await grain.RotateAsync(_hasher.Hash(newKey), "p", TimeSpan.Zero));
    }

    [Fact]
    public async Task Counters_and_rate_window_survive_deactivation()
    {
        var (grain, apiKey) = await CreateAsync(rateLimit: new RateLimit(10, TimeSpan.FromMinutes(5)), quotas: new QuotaLimits(100, null));
        for (var i = 0; i < 4; i++)
        {
            await grain.AuthorizeAsync(Request(apiKey));
        }
        await fixture.Cluster.DeactivateAsync(grain);
        await fixture.Cluster.WaitForDeactivationAsync(grain);

        var usage = await grain.GetUsageAsync();
        Assert.Equal(4, usage!.RequestsToday);
        Assert.Equal(6, usage.RateLimitRemaining);
        Assert.Equal(5, (await grain.AuthorizeAsync(Request(apiKey))).Remaining);
    }

    [Fact]
    public async Task Usage_is_written_behind_within_the_flush_interval()
    {
        var (grain, apiKey) = await CreateAsync();
        await grain.AuthorizeAsync(Request(apiKey));
        await grain.AuthorizeAsync(Request(apiKey));
        // The fixture flushes every second; read the stored row directly rather than through the live activation.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long stored = -1;
        while (DateTime.UtcNow < deadline)
        {
            stored = StoredEtag(grain.GetPrimaryKeyString());
            if (stored >= 2)
            {
                break;
            }
            await Task.Delay(200);
        }
        Assert.True(stored >= 2, $"usage was not written behind (etag {stored})");
    }

    [Fact]
    public async Task Stored_state_never_holds_the_secret()
    {
        var (grain, apiKey) = await CreateAsync();
        await grain.AuthorizeAsync(Request(apiKey));
        await fixture.Cluster.DeactivateAsync(grain);
        await fixture.Cluster.WaitForDeactivationAsync(grain);

        var payload = StoredPayload(grain.GetPrimaryKeyString());
        Assert.NotNull(payload);
        var secretPart = apiKey[(apiKey.LastIndexOf('_') + 1)..];
        Assert.Equal(-1, payload!.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secretPart)));
        Assert.Equal(-1, payload.AsSpan().IndexOf(Encoding.UTF8.GetBytes(apiKey)));
        // What is stored is the keyed hash.
        Assert.True(payload.AsSpan().IndexOf(_hasher.Hash(apiKey)) >= 0);
    }

    private long StoredEtag(string keyId) => StoredRow(keyId)?.Etag ?? -1;

    private byte[]? StoredPayload(string keyId) => StoredRow(keyId)?.Payload;

    /// <summary>The key's row as the storage wrote it, read past the live activation.</summary>
    private (long Etag, byte[] Payload)? StoredRow(string keyId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(fixture.DataDirectory, "grains.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT etag, payload FROM grain_state WHERE grain_key = $key";
        command.Parameters.AddWithValue("$key", keyId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), (byte[])reader.GetValue(1)) : null;
    }

    /// <summary>Authorizes until the key is no longer allowed (an expiry, the end of a grace period): polled, not slept through.</summary>
    private async Task<AccessOutcome> FirstOutcomeOtherThanAllowedAsync(IApiKeyGrain grain, string apiKey)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var outcome = (await grain.AuthorizeAsync(Request(apiKey))).Outcome;
            if (outcome != AccessOutcome.Allowed || DateTime.UtcNow > deadline)
            {
                return outcome;
            }
            await Task.Delay(50);
        }
    }
}
