using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Changes;
using Mcp.Cluster.Gateway.McpProtocol;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>
/// MCP notifications on one in-process gateway when its catalog-change subscription is lost: the subscription removed
/// from the stream registry exactly as a silo's stream agent removes a consumer it could not reach, a subscription
/// replaced while the old one still works, a GET stream opened before any other request, and a session id presented
/// with another key.
/// </summary>
[Trait("Tier", "Api")]
public sealed class McpNotificationHealingTests : IAsyncLifetime
{
    private const string PromptsChanged = "notifications/prompts/list_changed";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(15);

    private readonly GatewayFactory _gateway = new(new Dictionary<string, string?>
    {
        ["Mcp:Notifications:SubscriptionCheckInterval"] = "00:00:00.200",
    });
    private HttpClient _admin = null!;
    private Uri _mcp = null!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        _gateway.UseKestrel(0);
        _gateway.StartServer();
        _admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        _mcp = new Uri(_admin.BaseAddress!, "/mcp");
        (_, _key) = await _gateway.CreateKeyAsync(new { owner = "watcher", permissions = new[] { "read", "execute" } });
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task A_GET_stream_opened_before_any_other_request_carries_notifications()
    {
        await using var session = await McpWireSession.OpenAsync(_mcp, _key);
        // No tools/list or any other request: only initialize and the stream.
        await session.OpenStreamAsync(_mcp);

        await CreatePromptAsync();

        await session.WaitForAsync(PromptsChanged, 1, Within);
    }

    [Fact]
    public async Task A_subscription_the_cluster_dropped_is_renewed_and_readiness_and_metrics_say_so()
    {
        await using var session = await McpWireSession.OpenAsync(_mcp, _key);
        await session.RequestAsync(_mcp, "tools/list");
        await session.OpenStreamAsync(_mcp);
        await CreatePromptAsync();
        await session.WaitForAsync(PromptsChanged, 1, Within);
        var before = await ReadyAsync();
        Assert.StartsWith("ok: subscribed since", before);
        Assert.DoesNotContain("resubscribed", before);

        // What a silo's pulling agent does with a consumer it could not reach: the registry entry goes, nobody is told.
        var listener = _gateway.Services.GetRequiredService<CatalogChangeListener>();
        var dropped = listener.SubscriptionId!.Value;
        await _gateway.Services.GetRequiredService<IStreamSubscriptionManagerAdmin>()
            .GetStreamSubscriptionManager(StreamSubscriptionManagerType.ExplicitSubscribeOnly)
            .RemoveSubscription(ChangeStreams.Provider, StreamId.Create(ChangeStreams.Namespace, ChangeStreams.Key), dropped);

        // While it subscribes again readiness may answer 503 (not subscribed); then 200, naming the renewal.
        var healed = "";
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            using var ready = await _admin.GetAsync("/health/ready");
            var body = await ready.Content.ReadFromJsonAsync<JsonElement>();
            healed = body.GetProperty("checks").GetProperty("catalog_changes").GetString()!;
            Assert.True(ready.StatusCode == HttpStatusCode.OK || healed.StartsWith("failed: not subscribed since", StringComparison.Ordinal), healed);
            return ready.StatusCode == HttpStatusCode.OK && healed.Contains("resubscribed 1 time(s)", StringComparison.Ordinal);
        }, Deadlines.Scaled(Within), "readiness to report the renewed subscription");
        Assert.StartsWith("ok: subscribed since", healed);
        Assert.Contains("the cluster dropped this gateway's subscription", healed);
        Assert.NotEqual(dropped, listener.SubscriptionId);

        // Every change from now on arrives, once: the last one is the marker that the ones before it were all delivered.
        await CreatePromptAsync();
        await CreatePromptAsync();
        await session.WaitForAsync(PromptsChanged, 3, Within);
        Assert.Equal(3, session.Count(PromptsChanged));

        var metrics = await _admin.GetStringAsync("/metrics");
        Assert.Matches(@"\nmcp_notifications_resubscriptions_total\{[^}]*\} 1\n", metrics);
        Assert.Matches(@"\nmcp_notifications_subscribed\{[^}]*\} 1\n", metrics);
    }

    [Fact]
    public async Task Subscribing_again_while_the_old_subscription_still_works_notifies_each_session_once()
    {
        await using var session = await McpWireSession.OpenAsync(_mcp, _key);
        await session.OpenStreamAsync(_mcp);
        var listener = _gateway.Services.GetRequiredService<CatalogChangeListener>();
        var first = listener.SubscriptionId;

        Assert.True(await listener.ResubscribeAsync("a test replaced it"));
        Assert.NotEqual(first, listener.SubscriptionId);
        await CreatePromptAsync();
        await CreatePromptAsync();
        await CreatePromptAsync();

        await session.WaitForAsync(PromptsChanged, 3, Within);
        // A duplicate would come with its original; one more change proves none is still on its way.
        await CreatePromptAsync();
        await session.WaitForAsync(PromptsChanged, 4, Within);
        Assert.Equal(4, session.Count(PromptsChanged));
    }

    [Fact]
    public async Task A_session_id_presented_with_another_key_is_refused_404_with_the_json_rpc_error_of_an_unknown_session()
    {
        var (_, otherKey) = await _gateway.CreateKeyAsync(new { owner = "intruder", permissions = new[] { "read", "execute" } });
        await using var session = await McpWireSession.OpenAsync(_mcp, _key);

        var (status, refused) = await session.SendAsync(_mcp, "tools/list", key: otherKey);
        using (var http = new HttpClient())
        {
            // The same request with an id no gateway knows: the answer to copy.
            var request = new HttpRequestMessage(HttpMethod.Post, _mcp)
            {
                Content = new StringContent("""{"jsonrpc":"2.0","id":7,"method":"tools/list"}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Accept.ParseAdd("text/event-stream");
            request.Headers.Add("X-API-Key", otherKey);
            request.Headers.Add("Mcp-Session-Id", "no-such-session");
            request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
            using var answer = await http.SendAsync(request);
            var unknownError = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
            Assert.Equal(unknownError.GetProperty("error").GetProperty("code").GetInt32(), refused.GetProperty("error").GetProperty("code").GetInt32());
            Assert.Equal(unknownError.GetProperty("error").GetProperty("message").GetString(), refused.GetProperty("error").GetProperty("message").GetString());
        }
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("2.0", refused.GetProperty("jsonrpc").GetString());
        Assert.Equal(-32001, refused.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(JsonValueKind.Number, refused.GetProperty("id").ValueKind);
        Assert.False(refused.TryGetProperty("detail", out _));

        // A GET stream and a body that is not JSON-RPC get the same error, without an id.
        using var http2 = new HttpClient();
        foreach (var request in new[] { Get(otherKey, session.Id), RawPost(otherKey, session.Id, "{not json") })
        {
            using var answer = await http2.SendAsync(request);
            var error = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
            Assert.Equal(-32001, error.GetProperty("error").GetProperty("code").GetInt32());
            Assert.Equal(JsonValueKind.Null, error.GetProperty("id").ValueKind);
        }

        // The owner still uses it.
        await session.RequestAsync(_mcp, "tools/list");
    }

    private HttpRequestMessage Get(string key, string sessionId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _mcp);
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("X-API-Key", key);
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        return request;
    }

    private HttpRequestMessage RawPost(string key, string sessionId, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _mcp) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("X-API-Key", key);
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        return request;
    }

    private async Task CreatePromptAsync()
    {
        using var created = await _admin.PostAsJsonAsync("/prompts", new
        {
            name = "healing-" + Guid.NewGuid().ToString("N")[..8], messages = new[] { new { role = "user", text = "hello" } },
        });
        await created.AssertOkAsync(HttpStatusCode.Created);
    }

    /// <summary>The catalog_changes entry of <c>/health/ready</c> (which must answer 200).</summary>
    private async Task<string> ReadyAsync()
    {
        var ready = await (await _admin.GetAsync("/health/ready")).AssertOkAsync();
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        return ready.GetProperty("checks").GetProperty("catalog_changes").GetString()!;
    }
}
