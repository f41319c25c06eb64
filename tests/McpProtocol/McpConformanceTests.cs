using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>
/// The official MCP conformance suite (<c>@modelcontextprotocol/conformance</c>, on Node 22) against the gateway's
/// <c>/mcp</c>, with the suite's fixtures served by <see cref="ConformanceFixtureServer"/> federated unprefixed. The
/// known failures are in tests/mcp-conformance-baseline.yml; the suite fails on any other failure and on any listed
/// scenario that passes.
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
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        using (var registered = await admin.PostAsJsonAsync("/integrations", new { name = "conformance", url = _fixtures.McpEndpoint.ToString(), expose_unprefixed = true }))
        {
            await registered.AssertOkAsync(HttpStatusCode.Created);
        }
        var (_, key) = await _gateway.CreateKeyAsync(new { owner = "conformance", permissions = new[] { "read", "execute" }, rate_limit = "100000/minute" });
        var port = admin.BaseAddress!.Port;
        await NodeClients.EnsureInstalledAsync();
        var (exit, stdout, stderr) = await CommandLine.RunAsync(NodeClients.Node,
        [
            Path.Combine(NodeClients.Directory, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js"),
            "server", "--url", $"http://localhost:{port}/mcp?api_key={key}",
            "--expected-failures", Path.Combine(CommandLine.RepositoryRoot, "tests", "mcp-conformance-baseline.yml"),
        ], TimeSpan.FromMinutes(5), _results.Path);
        Assert.True(exit == 0, $"conformance exited with {exit}:\n{stdout}\n{stderr}");
    }
}
