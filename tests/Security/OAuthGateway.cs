using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// A gateway with an authorization server configured: the local <see cref="OidcTestIssuer"/> on a loopback port, this
/// gateway's resource being <see cref="Resource"/> (the in-process test server answers as http://localhost).
/// </summary>
public sealed class OAuthGateway : IAsyncLifetime
{
    public const string Resource = "http://localhost/mcp";
    public const string RateLimit = "40/minute";

    public OidcTestIssuer Issuer { get; } = new();

    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Issuer.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["OAuth:Authority"] = Issuer.Issuer,
            ["OAuth:Resource"] = Resource,
            ["OAuth:RateLimit"] = RateLimit,
        });
    }

    public HttpClient Client(string token)
    {
        var client = Gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A token for this gateway from the issuer, for a subject no other test uses.</summary>
    public string Token(string scope, out string subject)
    {
        subject = "user-" + Guid.NewGuid().ToString("N")[..12];
        return Issuer.Mint(subject, scope, Resource);
    }

    public async Task DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }
        await Issuer.DisposeAsync();
        Issuer.Dispose();
    }
}

/// <summary>JSON-RPC over the gateway's Streamable HTTP endpoint, answered as JSON or as one SSE event.</summary>
public static class McpHttp
{
    public static async Task<string> InitializeAsync(HttpClient client)
    {
        using var response = await PostAsync(client, null, new
        {
            jsonrpc = "2.0", id = 1, method = "initialize",
            @params = new { protocolVersion = "2025-11-25", capabilities = new { }, clientInfo = new { name = "oauth-tests", version = "1.0" } },
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return response.Headers.GetValues("Mcp-Session-Id").Single();
    }

    /// <summary>The JSON-RPC answer (with <c>result</c> or <c>error</c>) to one request on <paramref name="session"/>.</summary>
    public static async Task<JsonElement> RequestAsync(HttpClient client, string session, string method, object? parameters = null)
    {
        using var response = await PostAsync(client, session, new { jsonrpc = "2.0", id = 2, method, @params = parameters ?? new { } });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        // A stream opens with a priming event (an id, no data): the answer is the first event with data.
        var json = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("data:", StringComparison.Ordinal) && l.Length > "data:".Length) is { } data
            ? data["data:".Length..].Trim()
            : text;
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string? session, object message)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = JsonContent.Create(message) };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
        }
        return await client.SendAsync(request);
    }
}
