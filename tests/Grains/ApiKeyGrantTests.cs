using System.Text;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Grains;

/// <summary>
/// Issue 18: the key grains decide what a key may hand out, see, revoke and rotate; the gateway only parses and words
/// their answers. These ask the grains directly, as any other gateway would.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Tier", "Grain")]
public sealed class ApiKeyGrantTests(ClusterFixture fixture)
{
    private static readonly ApiKeyRules Rules = new(Permissions.Read | Permissions.Write | Permissions.Execute, RateLimit.Default, 365, 3650, TimeSpan.FromDays(1));
    private readonly ApiKeyHasher _hasher = new(Encoding.UTF8.GetBytes("grant-tests-hash-secret-0123456789abcdef"));

    private async Task<(IApiKeyGrain Grain, ApiKeyCaller Caller)> CreateAsync(string owner, Permissions permissions, string createdBy = "test",
        RateLimit? rateLimit = null, QuotaLimits? quotas = null, DateTimeOffset? expiresAt = null)
    {
        var (keyId, apiKey) = ApiKeyFormat.Generate();
        var grain = fixture.Grains.GetGrain<IApiKeyGrain>(keyId);
        Assert.NotNull(await grain.CreateAsync(new NewApiKey(owner, null, permissions, rateLimit ?? RateLimit.Default, quotas ?? QuotaLimits.Unlimited,
            expiresAt, _hasher.Hash(apiKey), ApiKeyFormat.DisplayPrefix(apiKey), createdBy)));
        await fixture.Grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global)
            .AddAsync([new ApiKeyDirectoryEntry(keyId, owner, permissions, createdBy)]);
        return (grain, new ApiKeyCaller(keyId, owner, permissions));
    }

    private static ApiKeyGrantRequest Ask(string owner, Permissions? permissions = null, RateLimit? rateLimit = null, int? expiresInDays = null,
        long? daily = null) =>
        new(owner, null, permissions, rateLimit, expiresInDays, new QuotaLimits(daily, null), TokenLimits.Unlimited);

    [Fact]
    public async Task A_limited_creator_hands_out_its_own_limits_and_never_more()
    {
        var owner = "grant-" + Guid.NewGuid().ToString("N")[..8];
        var expires = DateTimeOffset.UtcNow.AddDays(10);
        var (creator, _) = await CreateAsync(owner, Permissions.Read | Permissions.Write, rateLimit: new RateLimit(30, TimeSpan.FromMinutes(1)),
            quotas: new QuotaLimits(500, null), expiresAt: expires);

        var inherited = await creator.GrantAsync([Ask(owner)], Rules);
        Assert.True(inherited.Granted);
        var terms = Assert.Single(inherited.Terms);
        // Default permissions within what it holds, its rate limit, quota and expiry rather than the defaults.
        Assert.Equal(Permissions.Read | Permissions.Write, terms.Permissions);
        Assert.Equal(new RateLimit(30, TimeSpan.FromMinutes(1)), terms.RateLimit);
        Assert.Equal(500, terms.Quotas.Daily);
        Assert.Equal(expires, terms.ExpiresAt);

        Assert.Equal(new GrantRefusal(1, GrantRefusalReason.PermissionsNotHeld),
            (await creator.GrantAsync([Ask(owner), Ask(owner, Permissions.Execute)], Rules)).Refusal);
        Assert.Equal(new GrantRefusal(0, GrantRefusalReason.LimitAboveOwn, "daily_quota", "500"),
            (await creator.GrantAsync([Ask(owner, daily: 501)], Rules)).Refusal);
        Assert.Equal(new GrantRefusal(0, GrantRefusalReason.OtherOwner, Limit: owner),
            (await creator.GrantAsync([Ask("someone-else")], Rules)).Refusal);
        Assert.Equal(GrantRefusalReason.Outlives, (await creator.GrantAsync([Ask(owner, expiresInDays: 30)], Rules)).Refusal?.Reason);
        Assert.Equal(new GrantRefusal(0, GrantRefusalReason.ExpiryOutOfRange, "expires_in_days", "3650"),
            (await creator.GrantAsync([Ask(owner, expiresInDays: 3651)], Rules)).Refusal);
    }

    [Fact]
    public async Task Self_service_is_decided_before_its_owner_is_claimed()
    {
        var directory = fixture.Grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global);
        var owner = "self-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(GrantRefusalReason.SelfServiceAdmin, (await directory.GrantSelfServiceAsync(Ask(owner, Permissions.Admin), Rules)).Refusal?.Reason);
        Assert.Equal(GrantRefusalReason.RateAboveDefault,
            (await directory.GrantSelfServiceAsync(Ask(owner, rateLimit: new RateLimit(101, TimeSpan.FromMinutes(1))), Rules)).Refusal?.Reason);

        // Neither refusal took the name.
        var granted = await directory.GrantSelfServiceAsync(Ask(owner), Rules);
        Assert.True(granted.Granted);
        Assert.Equal(Rules.DefaultPermissions, granted.Terms[0].Permissions);
        Assert.Equal(OwnerClaim.Taken, (await directory.GrantSelfServiceAsync(Ask(owner), Rules)).Claim);
    }

    [Fact]
    public async Task Only_the_key_itself_its_ancestors_of_its_owner_and_admins_may_see_revoke_or_rotate_it()
    {
        var owner = "manage-" + Guid.NewGuid().ToString("N")[..8];
        var (_, parent) = await CreateAsync(owner, Permissions.Read | Permissions.Write, rateLimit: new RateLimit(30, TimeSpan.FromMinutes(1)));
        var (child, childCaller) = await CreateAsync(owner, Permissions.Read, createdBy: parent.KeyId);
        var (_, sibling) = await CreateAsync(owner, Permissions.Read | Permissions.Write);
        var admin = new ApiKeyCaller("key_admin", "admin", Permissions.Admin);

        Assert.NotNull(await child.GetForAsync(childCaller));
        Assert.NotNull(await child.GetForAsync(parent));
        Assert.NotNull(await child.GetUsageForAsync(admin));
        Assert.Null(await child.GetForAsync(sibling));
        Assert.Null(await child.GetUsageForAsync(sibling));
        Assert.Null(await child.RevokeForAsync(sibling));

        var (hash, prefix) = (_hasher.Hash("new-secret"), "mcp_new");
        Assert.Equal(RotationOutcome.GraceOutOfRange, (await child.RotateForAsync(parent, hash, prefix, TimeSpan.FromDays(2), Rules)).Outcome);
        Assert.Equal(RotationOutcome.NotFound, (await child.RotateForAsync(sibling, hash, prefix, TimeSpan.Zero, Rules)).Outcome);
        // The child has the default rate limit (100/minute), above its parent's 30/minute: the parent may not take its secret.
        var beyond = await child.RotateForAsync(parent, hash, prefix, TimeSpan.Zero, Rules);
        Assert.Equal((RotationOutcome.BeyondCaller, ReachExcess.RateLimit), (beyond.Outcome, beyond.Excess));
        Assert.Equal(RotationOutcome.Rotated, (await child.RotateForAsync(admin, hash, prefix, TimeSpan.Zero, Rules)).Outcome);

        var revoked = await child.RevokeForAsync(parent);
        Assert.NotNull(revoked?.RevokedAt);
        Assert.Equal(RotationOutcome.Revoked, (await child.RotateForAsync(admin, hash, prefix, TimeSpan.Zero, Rules)).Outcome);
    }

    [Fact]
    public async Task The_directory_lists_for_a_caller_only_what_it_may_manage()
    {
        var directory = fixture.Grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global);
        var owner = "list-" + Guid.NewGuid().ToString("N")[..8];
        var (_, parent) = await CreateAsync(owner, Permissions.Read | Permissions.Write);
        var (_, child) = await CreateAsync(owner, Permissions.Read, createdBy: parent.KeyId);
        var (_, sibling) = await CreateAsync(owner, Permissions.Read | Permissions.Write);

        Assert.Equal([parent.KeyId, child.KeyId], (await directory.ListForAsync(parent, null, 0, 10))!.KeyIds);
        Assert.Equal([child.KeyId], (await directory.ListForAsync(child, owner, 0, 10))!.KeyIds);
        Assert.Null(await directory.ListForAsync(sibling, "someone-else", 0, 10));
        Assert.Equal(3, (await directory.ListForAsync(new ApiKeyCaller("key_admin", "admin", Permissions.Admin), owner, 0, 10))!.Total);
    }
}
