using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mcp.Cluster.Tests.Api;

/// <summary>
/// Every kind of grain the gateway keeps (keys, models, data sources, integrations, prompts, alert rules and channels,
/// usage) is created, the node is restarted on the same data directory, and each is used at once: the first call after
/// the restart activates it from storage, with nothing warmed up.
/// </summary>
[Trait("Tier", "Api")]
public sealed class RestartEveryGrainTests : IAsyncLifetime
{
    private readonly McpFixtureServer _upstream = new("restart-secret");
    private readonly TempDirectory _data = new();

    public Task InitializeAsync() => _upstream.StartAsync();

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Everything_created_before_a_restart_answers_at_once_after_it()
    {
        string key, keyId, modelId;
        long requestsBefore;
        await using (var first = new GatewayFactory(null, _data.Path))
        {
            using var admin = first.CreateClient(GatewayFactory.AdminKey);
            (keyId, key) = await first.CreateKeyAsync(new
            {
                owner = "restarter", permissions = new[] { "read", "write", "execute" }, rate_limit = "77/minute", daily_quota = 500,
            });
            modelId = await admin.RegisterModelAsync(new { name = "restart-sentiment", provider = "builtin", config = new { model = "sentiment" } });
            await (await admin.PostAsJsonAsync("/api/datasources", new { name = "restart_jobs", type = "sqlite", config = new { path = "samples/jobs.db" } }))
                .AssertOkAsync(HttpStatusCode.Created);
            await (await admin.PostAsJsonAsync("/integrations", new
            {
                name = "upstream", url = _upstream.McpEndpoint.ToString(),
                headers = new Dictionary<string, string> { ["Authorization"] = "Bearer restart-secret" },
            })).AssertOkAsync(HttpStatusCode.Created);
            using var user = first.CreateClient(key);
            await (await user.PostAsJsonAsync("/prompts", PromptRegistryTests.Summarize("restart-summary"))).AssertOkAsync(HttpStatusCode.Created);
            await (await admin.PutAsJsonAsync("/api/alerts/channels/restart-hook", new { type = "webhook", url = "http://127.0.0.1:9/hook" })).AssertOkAsync();
            await (await admin.PutAsJsonAsync("/api/alerts/rules/restart_errors", new
            {
                kind = "error_rate", threshold = 0.5, window_seconds = 60, for_seconds = 0, min_samples = 1000, channels = new[] { "restart-hook" },
            })).AssertOkAsync();
            for (var i = 0; i < 3; i++)
            {
                await (await user.PostAsJsonAsync($"/api/models/{modelId}/predict", new { text = "works well" })).AssertOkAsync();
            }
            long counted = 0;
            await ModelTestHelpers.EventuallyAsync(async () =>
            {
                counted = (await admin.GetJsonAsync("/summary?days=1")).GetProperty("totals").GetProperty("requests").GetInt64();
                return counted >= 8;
            }, TimeSpan.FromSeconds(30), "usage to be counted");
            requestsBefore = counted;
        }

        await using var second = new GatewayFactory(null, _data.Path);
        using var again = second.CreateClient(key);
        using var administrator = second.CreateClient(GatewayFactory.AdminKey);

        var me = await (await again.GetAsync("/api/keys/me")).AssertOkAsync();
        Assert.Equal("77/minute", me.GetProperty("rate_limit").GetString());
        Assert.Equal(keyId, me.GetProperty("key_id").GetString());
        var predicted = await (await again.PostAsJsonAsync($"/api/models/{modelId}/predict", new { text = "still works well" })).AssertOkAsync();
        Assert.Equal("positive", predicted.GetProperty("sentiment").GetString());
        var rows = await (await administrator.PostAsJsonAsync("/api/data/query", new { source = "restart_jobs", table = "jobs", limit = 3 })).AssertOkAsync();
        Assert.Equal(3, rows.GetProperty("row_count").GetInt32());
        // Integrations' tools are served over MCP: the C# SDK's client through the gateway's /mcp endpoint.
        await using (var mcp = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(again.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp,
        }, again)))
        {
            var echoed = await mcp.CallToolAsync("upstream.echo", new Dictionary<string, object?> { ["text"] = "after restart" });
            Assert.NotEqual(true, echoed.IsError);
            Assert.Equal("echo: after restart", echoed.Content.OfType<TextContentBlock>().Single().Text);
        }
        var rendered = await (await again.PostAsJsonAsync("/prompts/restart-summary/render", new
        {
            arguments = new Dictionary<string, string> { ["text"] = "Orleans", ["words"] = "5" },
        })).AssertOkAsync();
        Assert.Contains("Orleans", rendered.GetRawText());
        var rules = await administrator.GetJsonAsync("/api/alerts/rules");
        Assert.Contains("restart_errors", rules.GetRawText());
        var channel = await administrator.GetJsonAsync("/api/alerts/channels/restart-hook");
        Assert.Equal("webhook", channel.GetProperty("type").GetString());
        var usage = await administrator.GetJsonAsync("/summary?days=1");
        Assert.True(usage.GetProperty("totals").GetProperty("requests").GetInt64() >= requestsBefore, $"usage went from {requestsBefore} to {usage}");
    }
}
