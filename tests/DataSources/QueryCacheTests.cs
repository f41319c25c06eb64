using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.DataSources.Caching;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>The query cache against a real Redis: hits and misses, the shared second level, invalidation and policy isolation.</summary>
[Collection(RedisCollection.Name)]
[Trait("Tier", "System")]
public sealed class QueryCacheTests(RedisServer redis) : IAsyncLifetime
{
    private DataGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = new DataGateway(new Dictionary<string, string?> { ["DataSources:Cache:Redis"] = redis.Configuration });
        await _gateway.EnsureSamplesAsync();
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task A_repeated_query_is_a_hit_in_memory_and_in_redis_and_a_refresh_invalidates_it()
    {
        var (_, apiKey) = await _gateway.CreateKeyAsync(new { owner = "cachey", permissions = new[] { "read" } });
        using var client = _gateway.CreateClient(apiKey);
        var query = new { source = "jobs_db", table = "jobs", filters = new { company = "Globex" }, order_by = "job_id", limit = 50 };
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        var before = await admin.GetFromJsonAsync<JsonElement>("/api/datasources/jobs_db/status");

        var first = await _gateway.QueryOkAsync(client, query);
        var second = await _gateway.QueryOkAsync(client, query);
        Assert.False(first.GetProperty("cached").GetBoolean());
        Assert.True(second.GetProperty("cached").GetBoolean());
        Assert.Equal(first.GetProperty("rows").GetRawText(), second.GetProperty("rows").GetRawText());

        var status = await admin.GetFromJsonAsync<JsonElement>("/api/datasources/jobs_db/status");
        Assert.Equal(before.GetProperty("cache_hits").GetInt64() + 1, status.GetProperty("cache_hits").GetInt64());
        Assert.Equal(before.GetProperty("cache_misses").GetInt64() + 1, status.GetProperty("cache_misses").GetInt64());

        // The entry is in Redis (the shared second level), under the source's prefix.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var keys = connection.GetServer(redis.Configuration).Keys(pattern: "*mcp:data:jobs_db:*").ToArray();
        Assert.NotEmpty(keys);

        using (var refreshed = await admin.PostAsync("/api/datasources/jobs_db/refresh", null))
        {
            await refreshed.AssertOkAsync();
        }
        var afterRefresh = await _gateway.QueryOkAsync(client, query);
        Assert.False(afterRefresh.GetProperty("cached").GetBoolean());
        Assert.True((await _gateway.QueryOkAsync(client, query)).GetProperty("cached").GetBoolean());
    }

    [Fact]
    public async Task Callers_with_different_policies_never_share_an_entry()
    {
        // Same query, three policies: masked by default, unmasked by grant, admin. Each must see its own values.
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        var (_, maskedKey) = await _gateway.CreateKeyAsync(new { owner = "masked", permissions = new[] { "read" } });
        var (openId, openKey) = await _gateway.CreateKeyAsync(new { owner = "open", permissions = new[] { "read" } });
        await _gateway.GrantAsync("homebuilders_db", openId, new { tables = new { builders = new { masks = new { contact_email = "none", phone = "none" } } } });
        using var masked = _gateway.CreateClient(maskedKey);
        using var open = _gateway.CreateClient(openKey);
        var query = new { source = "homebuilders_db", table = "builders", order_by = "builder_id", limit = 3 };

        var maskedFirst = await _gateway.QueryOkAsync(masked, query);
        var openFirst = await _gateway.QueryOkAsync(open, query);
        var adminFirst = await _gateway.QueryOkAsync(admin, query);
        Assert.False(openFirst.GetProperty("cached").GetBoolean());
        Assert.False(adminFirst.GetProperty("cached").GetBoolean());
        Assert.All(DataGateway.Rows(maskedFirst), r => Assert.Contains("*", r.GetProperty("contact_email").GetString()));
        Assert.All(DataGateway.Rows(openFirst), r => Assert.DoesNotContain("*", r.GetProperty("contact_email").GetString()));
        Assert.All(DataGateway.Rows(openFirst), r => Assert.StartsWith("+1-555-", r.GetProperty("phone").GetString()));

        var maskedAgain = await _gateway.QueryOkAsync(masked, query);
        Assert.True(maskedAgain.GetProperty("cached").GetBoolean());
        Assert.All(DataGateway.Rows(maskedAgain), r => Assert.Equal(JsonValueKind.Null, r.GetProperty("phone").ValueKind));
        Assert.True((await _gateway.QueryOkAsync(open, query)).GetProperty("cached").GetBoolean());
    }

    [Fact]
    public async Task Two_processes_share_results_through_redis_and_keys_separate_generations_and_policies()
    {
        await using var first = HybridCacheOn(redis.Configuration);
        await using var second = HybridCacheOn(redis.Configuration);
        var cacheA = new DataQueryCache(first.GetRequiredService<HybridCache>());
        var cacheB = new DataQueryCache(second.GetRequiredService<HybridCache>());
        var scope = Guid.NewGuid().ToString("N")[..16];
        var reads = 0;
        Task<CachedRows> Read(CancellationToken _)
        {
            Interlocked.Increment(ref reads);
            return Task.FromResult(new CachedRows(2, Encoding.UTF8.GetBytes("""[{"a":1},{"a":2}]""")));
        }

        var key = DataQueryCache.Key("src", scope, 1, "SELECT 1", "policy-a");
        var (rowsA, hitA) = await cacheA.GetOrReadAsync("src", key, TimeSpan.FromMinutes(1), Read, default);
        // HybridCache writes the second level behind the answer; wait until the entry is in Redis.
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!connection.GetDatabase().KeyExists(key) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
            Assert.True(connection.GetDatabase().KeyExists(key), "the entry never reached Redis");
        }
        var (rowsB, hitB) = await cacheB.GetOrReadAsync("src", key, TimeSpan.FromMinutes(1), Read, default);
        Assert.False(hitA);
        Assert.True(hitB);
        Assert.Equal(1, reads);
        Assert.Equal(2, rowsB.Count);
        Assert.Equal(rowsA.Json, rowsB.Json);

        Assert.NotEqual(key, DataQueryCache.Key("src", scope, 2, "SELECT 1", "policy-a"));
        Assert.NotEqual(key, DataQueryCache.Key("src", scope, 1, "SELECT 1", "policy-b"));
        Assert.NotEqual(key, DataQueryCache.Key("src", "other-scope", 1, "SELECT 1", "policy-a"));
        var (_, hitOtherPolicy) = await cacheB.GetOrReadAsync("src", DataQueryCache.Key("src", scope, 1, "SELECT 1", "policy-b"), TimeSpan.FromMinutes(1), Read, default);
        Assert.False(hitOtherPolicy);
        Assert.Equal(2, reads);
    }

    private static ServiceProvider HybridCacheOn(string configuration)
    {
        var services = new ServiceCollection();
        services.AddHybridCache();
        services.AddStackExchangeRedisCache(o => o.Configuration = configuration);
        return services.BuildServiceProvider();
    }
}
