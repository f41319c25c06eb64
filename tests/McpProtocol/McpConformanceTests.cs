using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>
/// The official MCP conformance suite (<c>@modelcontextprotocol/conformance</c>, on Node 22) against the gateway's
/// <c>/mcp</c>, with the suite's fixtures served by <see cref="ConformanceFixtureServer"/> federated unprefixed. The
/// known failures would be in tests/mcp-conformance-baseline.yml, which is empty: any failure fails the test.
/// </summary>
[Trait("Tier", "System")]
public sealed class McpConformanceTests : IAsyncLifetime
{
    private readonly ConformanceFixtureServer _fixtures = new();
    private readonly TempDirectory _results = new();
    private readonly GatewayFactory _gateway = new(new Dictionary<string, string?>
    {
        ["Models:SeedBuiltInModels"] = "false",
        ["DataSources:SeedSamples"] = "false",
        // The suite's client sends no headers; it also checks that foreign Host headers are refused.
        ["Mcp:AllowKeyInQuery"] = "true",
        ["AllowedHosts"] = "localhost;127.0.0.1;[::1]",
    });

    public async Task InitializeAsync()
    {
        await _fixtures.StartAsync();
        _gateway.UseKestrel(0);
        _gateway.StartServer();
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _fixtures.DisposeAsync();
        _results.Dispose();
    }

    [Fact]
    public async Task The_conformance_suite_passes_apart_from_the_baseline()
    {
        var (exit, stdout, stderr) = await RunSuiteAsync("--expected-failures", Path.Combine(CommandLine.RepositoryRoot, "tests", "mcp-conformance-baseline.yml"));
        Assert.True(exit == 0, $"conformance exited with {exit}:\n{stdout}\n{stderr}");
    }

    /// <summary>
    /// The suite's pending scenarios: SSE resumability (priming event with an id, a retry hint, resuming with
    /// Last-Event-ID) and JSON Schema 2020-12 tool schemas passed through unchanged.
    /// </summary>
    [Fact]
    public async Task The_pending_scenarios_pass_too()
    {
        var (exit, stdout, stderr) = await RunSuiteAsync("--suite", "pending");
        Assert.True(exit == 0, $"conformance (pending) exited with {exit}:\n{stdout}\n{stderr}");
        Assert.Matches(@"server-sse-polling: [1-9]\d* passed, 0 failed", stdout);
        Assert.Matches(@"json-schema-2020-12: [1-9]\d* passed, 0 failed", stdout);
    }

    private async Task<(int Exit, string Stdout, string Stderr)> RunSuiteAsync(params string[] options)
    {
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        using (var registered = await admin.PostAsJsonAsync("/integrations", new { name = "conformance", url = _fixtures.McpEndpoint.ToString(), expose_unprefixed = true }))
        {
            await registered.AssertOkAsync(HttpStatusCode.Created);
        }
        var (_, key) = await _gateway.CreateKeyAsync(new { owner = "conformance", permissions = new[] { "read", "execute" }, rate_limit = "100000/minute" });
        var port = admin.BaseAddress!.Port;
        await NodeClients.EnsureInstalledAsync();
        return await CommandLine.RunAsync(NodeClients.Node,
        [
            Path.Combine(NodeClients.Directory, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js"),
            "server", "--url", $"http://localhost:{port}/mcp?api_key={key}", .. options,
        ], TimeSpan.FromMinutes(5), _results.Path);
    }
}
