using System.Net;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>
/// The official MCP clients against a gateway whose tool list spans pages: the Inspector CLI 2.12.0 in strict mode finds
/// no portability problem in any of our tools' schemas (data tools, the built-in model, and chat, completion and
/// embedding models with their task schemas), and the TypeScript SDK follows the cursors of every list to the end.
/// </summary>
[Trait("Tier", "System")]
public sealed class McpInspectorTests : IAsyncLifetime
{
    private readonly GatewayFactory _gateway = new(new Dictionary<string, string?> { ["Mcp:PageSize"] = "2" });
    private string _baseUrl = "";
    private string _key = "";
    private readonly TempDirectory _home = new();

    public async Task InitializeAsync()
    {
        _gateway.UseKestrel(0);
        _gateway.StartServer();
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        _baseUrl = admin.BaseAddress!.ToString().TrimEnd('/');
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            var sources = await admin.GetStringAsync("/api/datasources");
            using var model = await admin.GetAsync("/api/models/sentiment");
            return sources.Contains("homebuilders_db", StringComparison.Ordinal) && model.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(60), "the samples and the built-in model");
        // Models whose task schemas had type arrays (nullable usage and finish_reason, string-or-array input). Nothing
        // listens on the port: listing them does not call them.
        foreach (var task in new[] { "chat", "completion", "embedding" })
        {
            await admin.RegisterModelAsync(new
            {
                name = $"portable-{task}", provider = "openai",
                config = new { task, base_url = $"http://127.0.0.1:{FreePort.Next()}/v1", api_key = "sk-unused", provider_model = "unused" },
            });
        }
        (_, _key) = await _gateway.CreateKeyAsync(new { owner = "inspector", permissions = new[] { "read", "execute" } });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task The_inspector_in_strict_mode_reports_no_error_and_no_warning_for_any_tool()
    {
        await NodeClients.EnsureInstalledAsync();
        var (exit, stdout, stderr) = await CommandLine.RunAsync(NodeClients.Node,
        [
            Path.Combine(NodeClients.Directory, "node_modules", "@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js"),
            "--cli", _baseUrl + "/mcp", "--header", $"X-API-Key: {_key}", "--method", "tools/list", "--strict",
        ], TimeSpan.FromMinutes(2), NodeClients.Directory, new Dictionary<string, string>
        {
            // Nothing of the run is kept: secrets in memory, its server catalog in a temporary folder.
            ["MCP_INSPECTOR_SECRET_STORE"] = "memory", ["MCP_CATALOG_PATH"] = Path.Combine(_home.Path, "mcp.json"),
        });

        Assert.True(exit == 0, $"the inspector exited with {exit}:\n{stderr}\n{stdout}");
        // It read every page: our three data tools, the built-in model and the three registered ones.
        var tools = JsonDocument.Parse(stdout).RootElement.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToArray();
        Assert.Equal(7, tools.Length);
        Assert.Contains("model.portable-embedding", tools);
        var findings = stderr.Split('\n').Where(l => l.StartsWith("Warning:", StringComparison.Ordinal) || l.StartsWith("Error:", StringComparison.Ordinal)).ToArray();
        Assert.True(findings.Length == 0, stderr);
        Assert.DoesNotMatch(@"[1-9]\d* (error|warning)", stderr);
    }

    [Fact]
    public async Task The_typescript_sdk_follows_the_cursors_of_every_list_to_the_end()
    {
        var seen = await NodeClients.RunAsync("mcp-paging.mjs", new Dictionary<string, string> { ["MCP_URL"] = _baseUrl + "/mcp", ["API_KEY"] = _key },
            TimeSpan.FromMinutes(2));

        var tools = seen.GetProperty("tools").EnumerateArray().Select(t => t.GetString()!).ToArray();
        Assert.Equal(["data.ask", "data.query", "data.sources", "model.portable-chat", "model.portable-completion", "model.portable-embedding", "model.sentiment"], tools);
        Assert.Equal([2, 2, 2, 1], seen.GetProperty("toolPages").EnumerateArray().Select(p => p.GetInt32()));
        var resources = seen.GetProperty("resources").EnumerateArray().Select(r => r.GetString()!).ToArray();
        Assert.Contains("datasource://jobs_db", resources);
        Assert.Contains("datasource://homebuilders_db/properties", resources);
        Assert.Equal(resources.Length, resources.Distinct().Count());
        Assert.All(seen.GetProperty("resourcePages").EnumerateArray(), p => Assert.InRange(p.GetInt32(), 1, 2));
        Assert.Contains("data.ask", seen.GetProperty("prompts").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(-32602, seen.GetProperty("invalidCursor").GetProperty("code").GetInt32());
    }
}
