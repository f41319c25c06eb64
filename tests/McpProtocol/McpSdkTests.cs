using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>The official MCP TypeScript SDK, unchanged, against the gateway's <c>/mcp</c> endpoint on a real port.</summary>
[Trait("Tier", "System")]
public sealed class McpSdkTests : IAsyncLifetime
{
    private readonly GatewayFactory _gateway = new(null);
    private string _baseUrl = "";

    public async Task InitializeAsync()
    {
        _gateway.UseKestrel(0);
        _gateway.StartServer();
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        _baseUrl = admin.BaseAddress!.ToString().TrimEnd('/');
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            var sources = await admin.GetStringAsync("/api/datasources");
            var model = await admin.GetAsync("/api/models/sentiment");
            return sources.Contains("homebuilders_db", StringComparison.Ordinal) && model.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(60), "the samples and the built-in model");
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task The_official_typescript_client_lists_and_calls_tools_and_reads_resources()
    {
        var (_, key) = await _gateway.CreateKeyAsync(new { owner = "agent", permissions = new[] { "read", "execute" } });
        using (var owner = _gateway.CreateClient(GatewayFactory.AdminKey))
        using (var prompt = await owner.PostAsJsonAsync("/prompts", Api.PromptRegistryTests.Summarize("summarize")))
        {
            await prompt.AssertOkAsync(HttpStatusCode.Created);
        }
        var result = await NodeClients.RunAsync("mcp-client.mjs", new Dictionary<string, string>
        {
            ["PROMPT"] = "summarize",
            ["MCP_URL"] = _baseUrl + "/mcp",
            ["API_KEY"] = key,
            ["MODEL_TOOL"] = "model.sentiment",
            ["TEXT"] = "The support team fixed it in minutes, brilliant",
        }, TimeSpan.FromMinutes(2));

        Assert.Equal("mcp-cluster", result.GetProperty("server").GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(result.GetProperty("session").GetString()));
        var tools = result.GetProperty("tools").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Contains("data.query", tools.Keys);
        Assert.Contains("data.sources", tools.Keys);
        var sentiment = tools["model.sentiment"];
        Assert.Equal("text", sentiment.GetProperty("input").GetProperty("required")[0].GetString());
        Assert.Equal("object", sentiment.GetProperty("output").GetProperty("type").GetString());

        var prediction = result.GetProperty("prediction");
        Assert.False(prediction.TryGetProperty("isError", out var isError) && isError.GetBoolean());
        Assert.Equal("positive", prediction.GetProperty("structuredContent").GetProperty("sentiment").GetString());
        Assert.Equal("positive", JsonDocument.Parse(prediction.GetProperty("content")[0].GetProperty("text").GetString()!).RootElement.GetProperty("sentiment").GetString());
        var invalid = result.GetProperty("invalid");
        Assert.True(invalid.GetProperty("isError").GetBoolean());
        Assert.Contains("text", invalid.GetProperty("content")[0].GetProperty("text").GetString());

        var sources = result.GetProperty("sources").GetProperty("structuredContent").GetProperty("sources").EnumerateArray()
            .Select(s => s.GetProperty("name").GetString()).ToArray();
        Assert.Contains("jobs_db", sources);
        var query = result.GetProperty("query").GetProperty("structuredContent");
        Assert.Equal(3, query.GetProperty("row_count").GetInt32());
        Assert.All(query.GetProperty("rows").EnumerateArray(), r => Assert.Contains("engineer", r.GetProperty("title").GetString()!, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(-32602, result.GetProperty("unknownTool").GetProperty("code").GetInt32());

        var resources = result.GetProperty("resources").EnumerateArray().Select(r => r.GetString()).ToArray();
        Assert.Contains("datasource://jobs_db", resources);
        Assert.Contains("datasource://jobs_db/jobs", resources);
        Assert.Contains("datasource://homebuilders_db/properties", resources);
        Assert.Equal(["datasource://{source}/{table}"], result.GetProperty("templates").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(2, result.GetProperty("schema").GetProperty("tables").GetArrayLength());
        var builders = result.GetProperty("table").GetProperty("rows").EnumerateArray().ToArray();
        Assert.NotEmpty(builders);
        // Reads through MCP are governed like REST: the sample masks contact data for this key.
        Assert.All(builders, b => Assert.Equal(JsonValueKind.Null, b.GetProperty("phone").ValueKind));
        Assert.Equal(-32602, result.GetProperty("missingResource").GetProperty("code").GetInt32());

        var summarize = result.GetProperty("prompts").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "summarize");
        Assert.Equal(["text", "audience", "words"], summarize.GetProperty("arguments").EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        Assert.True(summarize.GetProperty("arguments")[0].GetProperty("required").GetBoolean());
        var messages = result.GetProperty("prompt").GetProperty("messages").EnumerateArray().ToArray();
        Assert.Equal("user", messages[0].GetProperty("role").GetString());
        Assert.Equal("Summarize for engineers in at most  words:\n\nOrleans grains are virtual actors.", messages[0].GetProperty("content").GetProperty("text").GetString());
        Assert.Equal(-32602, result.GetProperty("promptMissingArgument").GetProperty("code").GetInt32());
        Assert.Equal(["engineers", "everyone", "executives"], result.GetProperty("promptCompletion").GetProperty("values").EnumerateArray().Select(v => v.GetString()).Order());
        Assert.Equal(["jobs_db"], result.GetProperty("sourceCompletion").GetProperty("values").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["builders", "properties"], result.GetProperty("tableCompletion").GetProperty("values").EnumerateArray().Select(v => v.GetString()));

        // ... and audited, with the key that made them.
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        var audit = JsonDocument.Parse(await admin.GetStringAsync($"/api/audit?source=homebuilders_db")).RootElement;
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("owner").GetString() == "agent" && e.GetProperty("table").GetString() == "builders");
    }

    [Fact]
    public async Task Subscribers_are_notified_of_resource_updates_and_of_tool_prompt_and_resource_list_changes()
    {
        var (_, key) = await _gateway.CreateKeyAsync(new { owner = "listener", permissions = new[] { "read", "execute" } });
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var seen = await NodeClients.RunAsync("mcp-notifications.mjs", new Dictionary<string, string>
        {
            ["MCP_URL"] = _baseUrl + "/mcp",
            ["API_KEY"] = key,
            ["CHANGE_URL"] = _baseUrl,
            ["ADMIN_KEY"] = GatewayFactory.AdminKey,
            ["SOURCE"] = "jobs_db",
            ["MODEL_NAME"] = "watched-" + suffix,
            ["PROMPT_NAME"] = "watched-" + suffix,
        }, TimeSpan.FromMinutes(2));

        Assert.Contains("datasource://jobs_db", seen.GetProperty("updated").EnumerateArray().Select(u => u.GetString()));
        Assert.True(seen.GetProperty("toolsListChanged").GetInt32() >= 1);
        Assert.True(seen.GetProperty("promptsListChanged").GetInt32() >= 1);
        Assert.True(seen.GetProperty("newTool").GetBoolean());
        Assert.Equal(0, seen.GetProperty("updatesAfterUnsubscribe").GetInt32());
    }

    [Fact]
    public async Task A_2026_07_28_client_is_served_statelessly_on_the_same_endpoint()
    {
        var (_, key) = await _gateway.CreateKeyAsync(new { owner = "stateless", permissions = new[] { "read", "execute" } });
        using var http = new HttpClient { BaseAddress = new Uri(_baseUrl) };
        const string meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientInfo\":{\"name\":\"raw\",\"version\":\"1\"},\"io.modelcontextprotocol/clientCapabilities\":{}}";
        async Task<(HttpResponseMessage Response, JsonElement Message)> SendAsync(string method, string? name, string paramsJson)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
            {
                Content = new StringContent($$"""{"jsonrpc":"2.0","id":1,"method":"{{method}}","params":{{paramsJson}}}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Accept.ParseAdd("text/event-stream");
            request.Headers.Add("X-API-Key", key);
            request.Headers.Add("MCP-Protocol-Version", "2026-07-28");
            request.Headers.Add("Mcp-Method", method);
            if (name is not null)
            {
                request.Headers.Add("Mcp-Name", name);
            }
            var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var data = text.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l[6..]).LastOrDefault() ?? text;
            return (response, JsonDocument.Parse(data).RootElement.Clone());
        }

        var (listed, tools) = await SendAsync("tools/list", null, "{" + meta + "}");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.False(listed.Headers.Contains("Mcp-Session-Id"));
        Assert.Contains("data.query", tools.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        var (_, called) = await SendAsync("tools/call", "data.query", """{"name":"data.query","arguments":{"source":"jobs_db","table":"jobs","limit":2},""" + meta + "}");
        Assert.Equal(2, called.GetProperty("result").GetProperty("structuredContent").GetProperty("row_count").GetInt32());
        var (_, refused) = await SendAsync("tools/list", null, "{}");
        Assert.Equal(-32602, refused.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Without_a_valid_key_or_from_a_foreign_origin_the_endpoint_refuses()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_baseUrl) };
        const string initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";
        HttpRequestMessage Post(string? key, string? origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(initialize, Encoding.UTF8, "application/json") };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            if (key is not null) request.Headers.Add("X-API-Key", key);
            if (origin is not null) request.Headers.Add("Origin", origin);
            return request;
        }
        using (var anonymous = await http.SendAsync(Post(null, null)))
        {
            await anonymous.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        }
        using (var foreign = await http.SendAsync(Post(GatewayFactory.AdminKey, "http://evil.example")))
        {
            await foreign.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        string sessionId;
        using (var local = await http.SendAsync(Post(GatewayFactory.AdminKey, "http://localhost:6274")))
        {
            Assert.Equal(HttpStatusCode.OK, local.StatusCode);
            sessionId = local.Headers.GetValues("Mcp-Session-Id").Single();
        }
        // The session is kept for other gateways until the client deletes it.
        var sessions = _gateway.Services.GetRequiredService<IGrainFactory>();
        Assert.NotNull(await sessions.GetGrain<Mcp.Cluster.McpSessions.IMcpSessionGrain>(sessionId).GetAsync());
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, "/mcp"))
        {
            delete.Headers.Add("X-API-Key", GatewayFactory.AdminKey);
            delete.Headers.Add("Mcp-Session-Id", sessionId);
            delete.Headers.Add("MCP-Protocol-Version", "2025-11-25");
            using var deleted = await http.SendAsync(delete);
            Assert.True(deleted.IsSuccessStatusCode, $"{(int)deleted.StatusCode}");
        }
        Assert.Null(await sessions.GetGrain<Mcp.Cluster.McpSessions.IMcpSessionGrain>(sessionId).GetAsync());
    }
}
