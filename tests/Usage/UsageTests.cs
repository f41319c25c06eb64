using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Usage;

/// <summary>
/// Usage events from real requests reach the usage grains over the Orleans streams, and the model metrics, key usage
/// and summary endpoints read them back.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class UsageTests(SharedGatewayFactory gateway) : IAsyncLifetime
{
    private readonly ModelServiceWireServer _service = new("svc-secret");

    public Task InitializeAsync() => _service.StartAsync();

    public async Task DisposeAsync() => await _service.DisposeAsync();

    private object Model() => new
    {
        name = $"usage-{Guid.NewGuid():N}"[..24],
        provider = "http",
        input_schema = new { type = "object", properties = new { amount = new { type = "number" } }, required = new[] { "amount" } },
        output_schema = new { type = "object", properties = new { risk = new { type = "number" }, flagged = new { type = "boolean" } } },
        config = new
        {
            url = new Uri(_service.BaseUri, "predict").ToString(),
            headers = new Dictionary<string, string> { ["X-Service-Key"] = "svc-secret" },
            max_retries = 0,
        },
    };

    [Fact]
    public async Task Requests_of_a_key_and_a_model_are_aggregated_with_errors_latency_and_routes()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var modelId = await admin.RegisterModelAsync(Model());
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = "usage-" + Guid.NewGuid().ToString("N")[..8], permissions = new[] { "read", "execute" } });
        using var client = gateway.CreateClient(apiKey);

        for (var i = 0; i < 3; i++)
        {
            using var ok = await client.PostAsJsonAsync($"/api/models/{modelId}/predict", new { amount = i });
            await ok.AssertOkAsync();
        }
        _service.FailNext = 1;
        using (var failed = await client.PostAsJsonAsync($"/api/models/{modelId}/predict", new { amount = 1 }))
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }
        using (var missing = await client.PostAsJsonAsync("/api/models/no-such-model/predict", new { amount = 1 }))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        using (var forbidden = await client.PostAsJsonAsync("/api/models", Model()))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        JsonElement traffic = default;
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            traffic = (await admin.GetJsonAsync($"/api/keys/{keyId}/usage")).GetProperty("traffic");
            return traffic.GetProperty("requests").GetInt64() == 6;
        }, TimeSpan.FromSeconds(20), "the key's six requests to be aggregated");
        Assert.Equal(1, traffic.GetProperty("server_errors").GetInt64());
        Assert.Equal(2, traffic.GetProperty("client_errors").GetInt64());
        Assert.Equal(5, traffic.GetProperty("by_route").GetProperty("POST /api/models/{model}/predict").GetInt64());
        // The group's root is labelled as a user writes it, not /api/models/.
        Assert.Equal(1, traffic.GetProperty("by_route").GetProperty("POST /api/models").GetInt64());
        Assert.Equal(3, traffic.GetProperty("by_status").GetProperty("200").GetInt64());
        Assert.Equal(1, traffic.GetProperty("by_status").GetProperty("403").GetInt64());
        Assert.Equal(6, traffic.GetProperty("by_protocol").GetProperty("rest").GetInt64());
        var latency = traffic.GetProperty("latency_ms");
        Assert.True(latency.GetProperty("p50").GetDouble() > 0);
        Assert.True(latency.GetProperty("p99").GetDouble() >= latency.GetProperty("p50").GetDouble());
        Assert.True(latency.GetProperty("max").GetDouble() >= latency.GetProperty("p99").GetDouble());
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var day = Assert.Single(traffic.GetProperty("daily").EnumerateArray());
        Assert.Equal(today, day.GetProperty("day").GetString());

        // The model's view: only the requests that reached it (the unknown model and the refused registration are not its).
        JsonElement usage = default;
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            usage = (await admin.GetJsonAsync($"/api/models/{modelId}/metrics?days=7")).GetProperty("usage");
            return usage.GetProperty("requests").GetInt64() == 4;
        }, TimeSpan.FromSeconds(20), "the model's four requests to be aggregated");
        Assert.Equal(1, usage.GetProperty("server_errors").GetInt64());
        Assert.Equal(0.25, usage.GetProperty("error_rate").GetDouble());
        Assert.Equal(1, usage.GetProperty("by_status").GetProperty("502").GetInt64());
        Assert.Equal(7, usage.GetProperty("daily").GetArrayLength());
        Assert.Equal(7, usage.GetProperty("days").GetInt32());

        using var badDays = await admin.GetAsync($"/api/keys/{keyId}/usage?days=91");
        await badDays.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
    }

    [Fact]
    public async Task Routes_are_labelled_as_written_and_counts_stored_under_the_old_group_root_labels_are_kept()
    {
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = "routes-" + Guid.NewGuid().ToString("N")[..8], permissions = new[] { "read" } });
        using (var client = gateway.CreateClient(apiKey))
        {
            // The group root, labelled the same whether or not the caller wrote its slash.
            foreach (var path in new[] { "/api/keys", "/api/keys/" })
            {
                using var listed = await client.GetAsync(path);
                await listed.AssertOkAsync();
            }
        }
        // What a gateway before the fix published: the group root with its slash, as the usage grains have stored it.
        var publisher = gateway.Services.GetRequiredService<Mcp.Cluster.Gateway.Usage.UsagePublisher>();
        for (var i = 0; i < 3; i++)
        {
            publisher.Publish(new Mcp.Cluster.Usage.UsageEvent(DateTimeOffset.UtcNow, keyId, null, null, "GET /api/keys/", "rest", 200, 1));
        }

        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        JsonElement traffic = default;
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            traffic = (await admin.GetJsonAsync($"/api/keys/{keyId}/usage")).GetProperty("traffic");
            return traffic.GetProperty("requests").GetInt64() == 5;
        }, TimeSpan.FromSeconds(20), "the key's five requests to be aggregated");
        var routes = traffic.GetProperty("by_route").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(new Dictionary<string, long> { ["GET /api/keys"] = 5 }, routes);
        // The cluster's summary reads the same way.
        JsonElement summary = default;
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            summary = (await admin.GetJsonAsync("/summary?days=1")).GetProperty("totals").GetProperty("by_route");
            return summary.TryGetProperty("GET /api/keys", out var listed) && listed.GetInt64() >= 5;
        }, TimeSpan.FromSeconds(20), "the summary to count the five requests");
        Assert.DoesNotContain(summary.EnumerateObject(), p => p.Name.EndsWith('/') && !p.Name.EndsWith(" /", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_summary_ranks_models_and_keys_and_is_for_admins_only()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var modelId = await admin.RegisterModelAsync(Model());
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = "summary-" + Guid.NewGuid().ToString("N")[..8], permissions = new[] { "read", "execute" } });
        using var client = gateway.CreateClient(apiKey);
        // More requests than any other test sends for one key, so this key leads the ranking.
        for (var i = 0; i < 40; i++)
        {
            using var ok = await client.PostAsJsonAsync($"/api/models/{modelId}/predict", new { amount = i });
            await ok.AssertOkAsync();
        }

        JsonElement summary = default;
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            summary = await admin.GetJsonAsync("/summary?top=100");
            return summary.GetProperty("top_keys").EnumerateArray().Any(k => k.GetProperty("id").GetString() == keyId && k.GetProperty("requests").GetInt64() == 40);
        }, TimeSpan.FromSeconds(20), "the summary to count the key's requests");
        Assert.Contains(summary.GetProperty("top_models").EnumerateArray(), m => m.GetProperty("id").GetString() == modelId && m.GetProperty("requests").GetInt64() == 40);
        var totals = summary.GetProperty("totals");
        Assert.True(totals.GetProperty("requests").GetInt64() >= 40);
        Assert.Equal(1, totals.GetProperty("days").GetInt32());
        Assert.True(summary.GetProperty("pipeline").GetProperty("published").GetInt64() >= 40);
        Assert.Equal(0, summary.GetProperty("pipeline").GetProperty("dropped").GetInt64());

        await (await client.GetAsync("/summary")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await admin.GetAsync("/summary?days=0")).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        await (await admin.GetAsync("/summary?top=101")).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
    }
}
