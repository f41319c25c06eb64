using Mcp.Cluster.Changes;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Models;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Mcp.Cluster.Tests.Unit;

[Trait("Tier", "Unit")]
public sealed class ModelNameCacheTests
{
    private static readonly ModelName Ranker = ModelName.Parse("ranker");
    private static readonly ModelName Other = ModelName.Parse("other");
    private static readonly ModelSelector Production = ModelAliasName.Parse("production");

    private readonly FakeTimeProvider _time = new();

    private ModelNameCache Listening(int size = 100, int ttlSeconds = 30)
    {
        var cache = new ModelNameCache(Options.Create(new ModelGatewayOptions { NameCacheSize = size, NameCacheTtl = TimeSpan.FromSeconds(ttlSeconds) }), _time);
        cache.StartListening();
        return cache;
    }

    [Fact]
    public void A_stored_resolution_is_a_hit_until_its_ttl()
    {
        var cache = Listening();
        cache.Store(Ranker, Production, "mod_1", cache.Generation);

        Assert.True(cache.TryGet(Ranker, Production, out var id));
        Assert.Equal("mod_1", id);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.False(cache.TryGet(Ranker, Production, out _));
    }

    [Fact]
    public void Nothing_is_kept_before_the_change_stream_is_listened_to()
    {
        var cache = new ModelNameCache(Options.Create(new ModelGatewayOptions()), _time);
        cache.Store(Ranker, Production, "mod_1", cache.Generation);
        Assert.False(cache.TryGet(Ranker, Production, out _));
    }

    [Fact]
    public void A_model_change_drops_its_name_only()
    {
        var cache = Listening();
        cache.Store(Ranker, Production, "mod_1", cache.Generation);
        cache.Store(Ranker, ModelSelector.Latest, "mod_2", cache.Generation);
        cache.Store(Other, ModelSelector.Latest, "mod_3", cache.Generation);

        cache.Invalidate(new CatalogChange(CatalogChangeKind.Prompts, "ranker", _time.GetUtcNow()));
        Assert.True(cache.TryGet(Ranker, Production, out _));

        cache.Invalidate(new CatalogChange(CatalogChangeKind.Models, "ranker", _time.GetUtcNow()));
        Assert.False(cache.TryGet(Ranker, Production, out _));
        Assert.False(cache.TryGet(Ranker, ModelSelector.Latest, out _));
        Assert.True(cache.TryGet(Other, ModelSelector.Latest, out _));

        cache.Invalidate(new CatalogChange(CatalogChangeKind.Models, null, _time.GetUtcNow()));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_resolution_that_started_before_a_change_is_not_kept()
    {
        var cache = Listening();
        var started = cache.Generation;
        cache.Invalidate(new CatalogChange(CatalogChangeKind.Models, "ranker", _time.GetUtcNow()));

        cache.Store(Ranker, Production, "mod_old", started);

        Assert.False(cache.TryGet(Ranker, Production, out _));
    }

    [Fact]
    public void A_deleted_model_is_forgotten_under_every_name_that_reached_it()
    {
        var cache = Listening();
        cache.Store(Ranker, Production, "mod_1", cache.Generation);
        cache.Store(Ranker, ModelSelector.Latest, "mod_1", cache.Generation);
        cache.Store(Other, ModelSelector.Latest, "mod_2", cache.Generation);

        cache.ForgetModel("mod_1");

        Assert.Equal(1, cache.Count);
        Assert.True(cache.TryGet(Other, ModelSelector.Latest, out _));
    }

    [Fact]
    public void The_cache_never_grows_past_its_size()
    {
        var cache = Listening(size: 10);
        for (var i = 0; i < 25; i++)
        {
            cache.Store(ModelName.Parse($"m{i}"), ModelSelector.Latest, $"mod_{i}", cache.Generation);
            Assert.InRange(cache.Count, 1, 10);
        }
    }
}
