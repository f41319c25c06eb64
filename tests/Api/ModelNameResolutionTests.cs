using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Models;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Mcp.Cluster.Tests.Api;

/// <summary>Counts <see cref="IModelCatalogGrain.ResolveAsync"/> calls per model name, in the gateway's co-hosted silo.</summary>
public sealed class ResolveCallCounter : IIncomingGrainCallFilter
{
    public ConcurrentDictionary<string, int> Calls { get; } = new();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is IModelCatalogGrain && context.InterfaceMethod.Name == nameof(IModelCatalogGrain.ResolveAsync)
            && context.Request.GetArgument(0) is ModelName name)
        {
            Calls.AddOrUpdate(name.Value, 1, (_, n) => n + 1);
        }
        return context.Invoke();
    }
}

/// <summary>
/// A gateway whose cached resolutions would outlive every test (10 min TTL): what a test sees change, the catalog-change
/// stream or the gateway's own write changed.
/// </summary>
public sealed class ResolveCountingGateway() : GatewayFactory(new Dictionary<string, string?> { ["Models:NameCacheTtl"] = "00:10:00" })
{
    public ResolveCallCounter Counter { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IIncomingGrainCallFilter>(Counter));
    }
}

/// <summary>
/// Issue 18: <c>name@version|alias</c> is resolved through a per-gateway cache; a hit asks no grain, and a moved alias or
/// a deleted model is seen by the next request, whether the change came through this gateway or another one.
/// </summary>
[Trait("Tier", "Api")]
public sealed class ModelNameResolutionTests(ResolveCountingGateway gateway) : IClassFixture<ResolveCountingGateway>
{
    private static readonly ModelCaller Admin = new("key_admin", "admin", true);

    [Fact]
    public async Task A_cached_name_makes_no_catalog_call()
    {
        using var admin = await ClientAsync();
        var name = UniqueName("hit");
        var id = await admin.RegisterModelAsync(new { name, version = "1.0.0" });

        Assert.Equal(id, await ModelIdAsync(admin, $"{name}@1.0.0"));
        Assert.True(gateway.Counter.Calls.GetValueOrDefault(name) >= 1);

        // The registration's own change event may still be on its way and drop the entry once more: what counts is
        // that, cached, the same name is answered and predicted on without asking the catalog.
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            Assert.Equal(id, await ModelIdAsync(admin, $"{name}@1.0.0"));
            var cached = gateway.Counter.Calls.GetValueOrDefault(name);
            Assert.Equal(id, await ModelIdAsync(admin, $"{name}@1.0.0"));
            using (var predict = await admin.PostAsJsonAsync($"/api/models/{name}@1.0.0/predict", new { text = "x" }))
            {
                // No backend attached: the executor's answer, reached without asking the catalog again.
                await predict.AssertErrorAsync(HttpStatusCode.Conflict, "model_not_deployed");
            }
            return gateway.Counter.Calls.GetValueOrDefault(name) == cached;
        }, TimeSpan.FromSeconds(10), "two requests naming a cached model to make no catalog call");
    }

    [Fact]
    public async Task An_alias_moved_or_a_model_deleted_through_this_gateway_is_seen_by_the_next_request()
    {
        using var admin = await ClientAsync();
        var name = UniqueName("moved");
        var v1 = await admin.RegisterModelAsync(new { name, version = "1.0.0" });
        var v2 = await admin.RegisterModelAsync(new { name, version = "2.0.0" });
        await SetAliasAsync(admin, name, "production", "1.0.0");
        Assert.Equal(v1, await ModelIdAsync(admin, $"{name}@production"));
        Assert.Equal(v2, await ModelIdAsync(admin, name));

        await SetAliasAsync(admin, name, "production", "2.0.0");
        Assert.Equal(v2, await ModelIdAsync(admin, $"{name}@production"));

        using (var deleted = await admin.DeleteAsync($"/api/models/{v2}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        using (var gone = await admin.GetAsync($"/api/models/{name}@production"))
        {
            await gone.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        Assert.Equal(v1, await ModelIdAsync(admin, name));
    }

    [Fact]
    public async Task A_change_made_elsewhere_reaches_this_gateway_through_the_change_stream()
    {
        using var admin = await ClientAsync();
        var name = UniqueName("elsewhere");
        var v1 = await admin.RegisterModelAsync(new { name, version = "1.0.0" });
        var v2 = await admin.RegisterModelAsync(new { name, version = "2.0.0" });
        await SetAliasAsync(admin, name, "production", "1.0.0");
        Assert.Equal(v1, await ModelIdAsync(admin, $"{name}@production"));
        Assert.Equal(v2, await ModelIdAsync(admin, $"{name}@2.0.0"));

        // As another gateway would: straight to the grains, so this gateway's own writes drop nothing.
        var grains = gateway.Services.GetRequiredService<IGrainFactory>();
        var catalog = grains.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global);
        Assert.Equal(ModelCommandOutcome.Ok, (await catalog.SetAliasAsync(ModelName.Parse(name), ModelAliasName.Parse("production"), ModelVersion.Parse("2.0.0"), Admin)).Outcome);
        await ModelTestHelpers.EventuallyAsync(async () => await ModelIdAsync(admin, $"{name}@production") == v2,
            TimeSpan.FromSeconds(10), "the moved alias to resolve to its new target");

        Assert.Equal(ModelCommandOutcome.Ok, (await grains.GetGrain<IModelGrain>(v2).DeleteAsync(Admin)).Outcome);
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            using var response = await admin.GetAsync($"/api/models/{name}@2.0.0");
            return response.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(10), "the deleted version to resolve to nothing");
    }

    /// <summary>An admin client, once the gateway listens to the change stream (before that it keeps no resolutions).</summary>
    private async Task<HttpClient> ClientAsync()
    {
        var client = gateway.CreateClient(GatewayFactory.AdminKey);
        var cache = gateway.Services.GetRequiredService<ModelNameCache>();
        await ModelTestHelpers.EventuallyAsync(() => Task.FromResult(cache.IsListening), TimeSpan.FromSeconds(30), "the gateway to listen to catalog changes");
        return client;
    }

    private static async Task<string?> ModelIdAsync(HttpClient client, string reference)
    {
        using var response = await client.GetAsync($"/api/models/{reference}");
        return response.IsSuccessStatusCode ? (await response.AssertOkAsync()).GetProperty("model_id").GetString() : null;
    }

    private static async Task SetAliasAsync(HttpClient client, string name, string alias, string version)
    {
        using var response = await client.PutAsJsonAsync($"/api/models/names/{name}/aliases/{alias}", new { version });
        await response.AssertOkAsync();
    }

    private static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];
}
