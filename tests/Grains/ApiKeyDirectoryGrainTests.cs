using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class ApiKeyDirectoryGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Lists_by_owner_in_creation_order_with_paging_and_ignores_duplicates()
    {
        var directory = fixture.Grains.GetGrain<IApiKeyDirectoryGrain>("test-" + Guid.NewGuid());
        await directory.AddAsync([new("key_0", "even"), new("key_1", "odd")]);
        await directory.AddAsync([new("key_2", "even"), new("key_3", "odd"), new("key_4", "even"), new("key_0", "even")]);

        var all = await directory.ListAsync(null, 0, 100);
        Assert.Equal(5, all.Total);
        Assert.Equal(["key_0", "key_1", "key_2", "key_3", "key_4"], all.KeyIds);

        var even = await directory.ListAsync("even", 1, 1);
        Assert.Equal(3, even.Total);
        Assert.Equal(["key_2"], even.KeyIds);

        Assert.Equal(0, (await directory.ListAsync("nobody", 0, 10)).Total);
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
}
