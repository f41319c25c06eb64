using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>An upstream MCP server (written with the C# SDK, in tests/) federated through the gateway, used by the official TypeScript client.</summary>
[Trait("Tier", "System")]
public sealed class IntegrationTests : IAsyncLifetime
{
    private readonly McpFixtureServer _upstream = new("fixture-secret");
    private readonly GatewayFactory _gateway = new(new Dictionary<string, string?> { ["Models:SeedBuiltInModels"] = "false" });
    private string _baseUrl = "";

    public async Task InitializeAsync()
    {
        await _upstream.StartAsync();
        _gateway.UseKestrel(0);
        _gateway.StartServer();
        _baseUrl = _gateway.CreateClient().BaseAddress!.ToString().TrimEnd('/');
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task An_upstream_servers_tools_resources_and_prompts_are_served_under_its_namespace_with_progress_and_cancellation()
    {
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        using (var registered = await admin.PostAsJsonAsync("/integrations", new
        {
            name = "fixture", url = _upstream.McpEndpoint.ToString(), headers = new Dictionary<string, string> { ["Authorization"] = "Bearer fixture-secret" },
            description = "test upstream",
        }))
        {
            var body = await registered.AssertOkAsync(HttpStatusCode.Created);
            Assert.Equal(2, body.GetProperty("tools").GetInt32());
            Assert.Equal(1, body.GetProperty("resources").GetInt32());
            Assert.Equal(1, body.GetProperty("prompts").GetInt32());
            Assert.Equal("fixture-upstream", body.GetProperty("server_name").GetString());
            Assert.Equal("********", body.GetProperty("headers").GetProperty("Authorization").GetString());
        }

        var (_, key) = await _gateway.CreateKeyAsync(new { owner = "federated", permissions = new[] { "read", "execute" } });
        var result = await NodeClients.RunAsync("mcp-integration.mjs", new Dictionary<string, string>
        {
            ["MCP_URL"] = _baseUrl + "/mcp", ["API_KEY"] = key, ["NS"] = "fixture",
        }, TimeSpan.FromMinutes(2));

        Assert.Contains("fixture.echo", result.GetProperty("tools").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains("fixture.slow_count", result.GetProperty("tools").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("through the gateway", result.GetProperty("echo").GetProperty("structuredContent").GetProperty("echo").GetString());
        Assert.Equal(5, result.GetProperty("count").GetProperty("structuredContent").GetProperty("counted").GetInt32());
        var progress = result.GetProperty("progress").EnumerateArray().ToArray();
        // Every step is sent; one overtaken by the next on a loaded machine is dropped, since progress must increase.
        var steps = progress.Select(p => p.GetProperty("progress").GetDouble()).ToArray();
        Assert.Equal(steps.Order(), steps);
        Assert.Equal(steps.Length, steps.Distinct().Count());
        Assert.Equal(5.0, steps[^1]);
        Assert.All(progress, p => Assert.Equal(5, p.GetProperty("total").GetDouble()));
        Assert.True(result.GetProperty("cancelled").GetProperty("afterMs").GetInt32() < 5000);
        await ModelTestHelpers.EventuallyAsync(() => Task.FromResult(_upstream.CancelledCalls.Contains("slow_count")),
            TimeSpan.FromSeconds(15), "the upstream call to be cancelled");

        Assert.Contains("mcp-integration://fixture/fixture%3A%2F%2Fgreeting", result.GetProperty("resources").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("hello from upstream", result.GetProperty("greeting").GetProperty("text").GetString());
        Assert.Contains("fixture.greet", result.GetProperty("prompts").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("Hello, Ada!", result.GetProperty("prompt").GetProperty("messages")[0].GetProperty("content").GetProperty("text").GetString());

        // An upstream that fails its refresh is reported, not hidden.
        _upstream.Down = true;
        using (var refresh = await admin.PostAsync("/integrations/fixture/refresh", null))
        {
            await refresh.AssertErrorAsync(HttpStatusCode.BadGateway, "upstream_error");
        }
        _upstream.Down = false;
        var described = await admin.GetFromJsonAsync<JsonElement>("/integrations/fixture");
        Assert.False(described.GetProperty("connected").GetBoolean());
        Assert.False(string.IsNullOrEmpty(described.GetProperty("last_error").GetString()));
        using (var recovered = await admin.PostAsync("/integrations/fixture/refresh", null))
        {
            Assert.True((await recovered.AssertOkAsync()).GetProperty("connected").GetBoolean());
        }

        // The REST side: list, describe, remove; its tools leave with it.
        var list = await admin.GetFromJsonAsync<JsonElement>("/integrations");
        Assert.Equal("fixture", list.GetProperty("integrations")[0].GetProperty("name").GetString());
        using (var deleted = await admin.DeleteAsync("/integrations/fixture"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        using var tools = await admin.GetAsync("/tools");
        Assert.DoesNotContain("fixture.echo", await tools.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unusable_or_badly_named_upstreams_are_refused()
    {
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        async Task Refused(object body, string field)
        {
            using var response = await admin.PostAsJsonAsync("/integrations", body);
            Assert.Equal(field, (await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error")).GetProperty("field").GetString());
        }
        var url = _upstream.McpEndpoint.ToString();
        await Refused(new { name = "fixture", url, headers = new Dictionary<string, string> { ["Authorization"] = "Bearer wrong" } }, "url");
        await Refused(new { name = "model", url }, "name");
        await Refused(new { name = "Bad Name", url }, "name");
        await Refused(new { name = "ftp", url = "ftp://example.com/mcp" }, "url");
        await Refused(new { name = "many", url, headers = Enumerable.Range(0, 33).ToDictionary(i => $"X-H{i}", _ => "v") }, "headers");
        using (var list = await admin.GetAsync("/integrations"))
        {
            Assert.Equal(0, (await list.AssertOkAsync()).GetProperty("integrations").GetArrayLength());
        }
        var (_, reader) = await _gateway.CreateKeyAsync(new { owner = "r", permissions = new[] { "read", "write" } });
        using var notAdmin = _gateway.CreateClient(reader);
        using var forbidden = await notAdmin.PostAsJsonAsync("/integrations", new { name = "fixture", url });
        await forbidden.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
