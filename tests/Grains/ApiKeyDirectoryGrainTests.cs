using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Grains;

[Collection(ClusterCollection.Name)]
[Trait("Tier", "Grain")]
public sealed class ApiKeyDirectoryGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Lists_by_owner_in_creation_order_with_paging_and_ignores_duplicates()
    {
        var directory = fixture.Grains.GetGrain<IApiKeyDirectoryGrain>("test-" + Guid.NewGuid());
        await directory.AddAsync([new("key_0", "even"), new("key_1", "odd")]);
        await directory.AddAsync([new("key_2", "even"), new("key_3", "odd"), new("key_4", "even"), new("key_0", "even")]);

        var all = await directory.ListAsync(null, null, null, 0, 100);
        Assert.Equal(5, all.Total);
        Assert.Equal(["key_0", "key_1", "key_2", "key_3", "key_4"], all.KeyIds);

        var even = await directory.ListAsync("even", null, null, 1, 1);
        Assert.Equal(3, even.Total);
        Assert.Equal(["key_2"], even.KeyIds);

        Assert.Equal(0, (await directory.ListAsync("nobody", null, null, 0, 10)).Total);
    }

    [Fact]
    public async Task Bootstrap_admin_can_be_claimed_once_and_survives_reactivation()
    {
        var directory = fixture.Grains.GetGrain<IApiKeyDirectoryGrain>("test-" + Guid.NewGuid());
        Assert.Null(await directory.GetBootstrapAdminKeyIdAsync());
        Assert.True(await directory.TryClaimBootstrapAdminAsync("key_first"));
        Assert.False(await directory.TryClaimBootstrapAdminAsync("key_second"));

        await fixture.Cluster.DeactivateAsync(directory);
        await fixture.Cluster.WaitForDeactivationAsync(directory);
        Assert.Equal("key_first", await directory.GetBootstrapAdminKeyIdAsync());
    }

    [Fact]
    public async Task Entries_indexed_without_permissions_learn_them_from_the_key_grain_on_activation()
    {
        var directory = fixture.Grains.GetGrain<IApiKeyDirectoryGrain>("test-" + Guid.NewGuid());
        var owner = "legacy-" + Guid.NewGuid().ToString("N")[..8];
        var strongId = "key_" + Guid.NewGuid().ToString("N")[..16];
        var weakId = "key_" + Guid.NewGuid().ToString("N")[..16];
        foreach (var (id, permissions) in new[] { (strongId, Permissions.Admin | Permissions.Read), (weakId, Permissions.Read) })
        {
            await fixture.Grains.GetGrain<IApiKeyGrain>(id).CreateAsync(new NewApiKey(owner, null, permissions, RateLimit.Default,
                QuotaLimits.Unlimited, null, new byte[32], "mcp_x", "test"));
        }
        // As a directory written before entries carried permissions holds them.
        await directory.AddAsync([new(strongId, owner), new(weakId, owner)]);
        await fixture.Cluster.DeactivateAsync(directory);
        await fixture.Cluster.WaitForDeactivationAsync(directory);

        var readable = await directory.ListAsync(owner, Permissions.Read | Permissions.Write, null, 0, 10);
        Assert.Equal([weakId], readable.KeyIds);
        Assert.Equal(1, readable.Total);
        Assert.Equal(2, (await directory.ListAsync(owner, null, null, 0, 10)).Total);
    }

    [Fact]
    public async Task Owners_are_claimed_once_by_folded_name_and_reserved_names_never()
    {
        var directory = fixture.Grains.GetGrain<IApiKeyDirectoryGrain>("test-" + Guid.NewGuid());
        await directory.AddAsync([new("key_existing", "Team-Blue", Permissions.Read)]);
        Assert.Equal(OwnerClaim.Taken, await directory.ClaimOwnerAsync("team-blue"));
        Assert.Equal(OwnerClaim.Reserved, await directory.ClaimOwnerAsync("ＳＹＳＴＥＭ"));
        Assert.Equal(OwnerClaim.Claimed, await directory.ClaimOwnerAsync("newcomer"));
        Assert.Equal(OwnerClaim.Taken, await directory.ClaimOwnerAsync("NEWCOMER"));
        await directory.ReserveOwnerAsync("granted");

        await fixture.Cluster.DeactivateAsync(directory);
        await fixture.Cluster.WaitForDeactivationAsync(directory);
        Assert.Equal(OwnerClaim.Taken, await directory.ClaimOwnerAsync("newcomer"));
        Assert.Equal(OwnerClaim.Taken, await directory.ClaimOwnerAsync("granted"));
    }

    [Fact]
    public async Task Lineage_follows_creators_and_stops_at_keys_nobody_indexed_created()
    {
        var directory = fixture.Grains.GetGrain<IApiKeyDirectoryGrain>("test-" + Guid.NewGuid());
        await directory.AddAsync([
            new("key_root", "team", Permissions.Read | Permissions.Write, "self-service"),
            new("key_child", "team", Permissions.Read | Permissions.Write, "key_root"),
            new("key_grandchild", "team", Permissions.Read, "key_child"),
            new("key_sibling", "team", Permissions.Read, "key_admin"),
        ]);
        Assert.True(await directory.DescendsFromAsync("key_grandchild", "key_root"));
        Assert.True(await directory.DescendsFromAsync("key_child", "key_child"));
        Assert.False(await directory.DescendsFromAsync("key_root", "key_child"));
        Assert.False(await directory.DescendsFromAsync("key_sibling", "key_root"));
        var under = await directory.ListAsync("team", Permissions.Read | Permissions.Write, "key_child", 0, 10);
        Assert.Equal(["key_child", "key_grandchild"], under.KeyIds);
    }
}
