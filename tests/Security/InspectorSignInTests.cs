using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 21 (3), with the official MCP Inspector CLI 2.12.0 against a gateway on a real port. The Inspector treats
/// every 401 from an HTTP server as a reason to sign in with OAuth: without a person at a terminal it stops at once
/// ("Interactive OAuth requires a TTY…"), whatever the challenge says; with one (stood in for here by
/// <c>MCP_AUTO_OPEN_ENABLED=true</c>) it runs OAuth discovery and registration. So what it shows depends on what the
/// gateway answers there: without an authorization server, the key guidance; with one, the issuer it points at.
/// </summary>
[Trait("Tier", "System")]
public sealed class InspectorSignInTests : IDisposable
{
    private const string InteractiveOAuthMessage = "Interactive OAuth requires a TTY";
    private readonly TempDirectory _home = new();

    [Fact]
    public async Task Without_an_authorization_server_the_inspector_is_told_to_send_the_key_and_lists_tools_with_it()
    {
        await using var gateway = new GatewayFactory(null);
        var url = Start(gateway, out _);
        var (_, key) = await gateway.CreateKeyAsync(new { owner = SecurityGateway.UniqueName("inspector"), permissions = new[] { "read", "execute" } });

        // A person at a terminal: the Inspector tries OAuth discovery and registration, and is told to send a key.
        var person = await InspectorAsync(url, [], interactive: true);
        Assert.NotEqual(0, person.Exit);
        Assert.Contains("does not sign in with OAuth", person.Output);
        Assert.Contains("X-API-Key", person.Output);
        Assert.DoesNotContain(InteractiveOAuthMessage, person.Output);

        // A script that asks for no interactive sign-in is shown the 401's own words.
        var script = await InspectorAsync(url, ["--stored-auth-only"], interactive: false);
        Assert.NotEqual(0, script.Exit);
        Assert.Contains("Missing API key", script.Output);
        Assert.DoesNotContain(InteractiveOAuthMessage, script.Output);

        foreach (var header in new[] { $"X-API-Key: {key}", $"Authorization: Bearer {key}" })
        {
            var listed = await InspectorAsync(url, ["--header", header], interactive: false);
            Assert.True(listed.Exit == 0, listed.Output);
            Assert.Contains("\"data.query\"", listed.Output);
        }
    }

    [Fact]
    public async Task With_an_authorization_server_the_inspector_follows_the_metadata_to_the_issuer_and_lists_tools_with_its_token()
    {
        await using var issuer = new OidcTestIssuer();
        await issuer.StartAsync();
        var port = FreePort.Next();
        var resource = $"http://127.0.0.1:{port}/mcp";
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["OAuth:Authority"] = issuer.Issuer,
            ["OAuth:Resource"] = resource,
        });
        var url = Start(gateway, out var actualPort, port);
        Assert.Equal(port, actualPort);

        var person = await InspectorAsync(url, [], interactive: true);
        Assert.NotEqual(0, person.Exit);
        Assert.DoesNotContain("does not sign in with OAuth", person.Output);
        // It read the resource metadata and went on to the issuer named there, where registration ends (none offered).
        Assert.Contains(issuer.Requests, r => r.Path.StartsWith("/.well-known/oauth-authorization-server", StringComparison.Ordinal)
            || r.Path.StartsWith("/.well-known/openid-configuration", StringComparison.Ordinal));
        Assert.Contains("registration", person.Output, StringComparison.OrdinalIgnoreCase);

        var token = issuer.Mint("inspector-user", "mcp:read mcp:execute", resource);
        var listed = await InspectorAsync(url, ["--header", $"Authorization: Bearer {token}"], interactive: false);
        Assert.True(listed.Exit == 0, listed.Output);
        Assert.Contains("\"data.query\"", listed.Output);

        var foreign = issuer.Mint("inspector-user", "mcp:read mcp:execute", "https://other.example/mcp");
        var refused = await InspectorAsync(url, ["--header", $"Authorization: Bearer {foreign}", "--stored-auth-only"], interactive: false);
        Assert.NotEqual(0, refused.Exit);
    }

    private static string Start(GatewayFactory gateway, out int port, int requested = 0)
    {
        gateway.UseKestrel(requested);
        gateway.StartServer();
        using var client = gateway.CreateClient();
        port = client.BaseAddress!.Port;
        return $"http://127.0.0.1:{port}/mcp";
    }

    private async Task<(int Exit, string Output)> InspectorAsync(string url, string[] arguments, bool interactive)
    {
        await NodeClients.EnsureInstalledAsync();
        var launcher = Path.Combine(NodeClients.Directory, "node_modules", "@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js");
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = _home.Path,
            ["MCP_INSPECTOR_SECRET_STORE"] = "memory",
            ["BROWSER"] = "/bin/false",
        };
        if (interactive)
        {
            environment["MCP_AUTO_OPEN_ENABLED"] = "true";
        }
        var (exit, stdout, stderr) = await CommandLine.RunAsync(NodeClients.Node,
            [launcher, "--cli", url, "--method", "tools/list", .. arguments], TimeSpan.FromMinutes(1), NodeClients.Directory, environment, standardInput: "");
        return (exit, stdout + "\n" + stderr);
    }

    public void Dispose() => _home.Dispose();
}
