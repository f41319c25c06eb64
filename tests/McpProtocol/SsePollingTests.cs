using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>
/// With <c>Mcp:SsePollToolCallsAfter</c>, a tools/call that runs long ends its POST response early and the client polls
/// the rest with <c>GET</c> and <c>Last-Event-ID</c>: each poll returns what is there and ends, and the result arrives once.
/// </summary>
[Trait("Tier", "Api")]
public sealed class SsePollingTests : IAsyncLifetime
{
    private readonly McpFixtureServer _upstream = new("fixture-secret");
    private readonly GatewayFactory _gateway = new(new Dictionary<string, string?>
    {
        ["Models:SeedBuiltInModels"] = "false",
        ["DataSources:SeedSamples"] = "false",
        ["Mcp:SseRetryInterval"] = "00:00:00.200",
        ["Mcp:SsePollToolCallsAfter"] = "00:00:00.400",
    });
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(2) };
    private Uri _endpoint = null!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        await _upstream.StartAsync();
        _gateway.UseKestrel(0);
        _gateway.StartServer();
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        _endpoint = new Uri(admin.BaseAddress!, "/mcp");
        using (var registered = await admin.PostAsJsonAsync("/integrations", new
        {
            name = "fixture", url = _upstream.McpEndpoint.ToString(), headers = new Dictionary<string, string> { ["Authorization"] = "Bearer fixture-secret" },
        }))
        {
            await registered.AssertOkAsync(HttpStatusCode.Created);
        }
        (_, _key) = await _gateway.CreateKeyAsync(new { owner = "poller", permissions = new[] { "read", "execute" } });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task A_long_call_ends_its_post_response_early_and_the_client_polls_the_rest_once()
    {
        var session = new McpSseSession(_http, _key);
        await session.InitializeAsync(_endpoint);
        var body = """{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"fixture.slow_count","arguments":{"steps":6,"delay_ms":300},"_meta":{"progressToken":"p1"}}}""";

        using var post = await session.OpenAsync(session.Post(_endpoint, body));
        var all = await McpSseSession.ReadAsync(post).ToListAsync();
        // The POST response ended before the result, with a second priming event that asks the client to poll.
        Assert.DoesNotContain(all, e => e.Message is { } m && m.TryGetProperty("result", out _));
        Assert.Contains(all.Skip(1), e => e.Data.Length == 0 && e.Retry == 200);

        var polls = 0;
        var deadline = DateTime.UtcNow + Deadlines.Scaled(TimeSpan.FromSeconds(30));
        while (!all.Any(e => e.Message is { } m && m.TryGetProperty("result", out _)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the result never arrived by polling");
            using var poll = await session.OpenAsync(session.Resume(_endpoint, all[^1].Id!));
            Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
            // Each poll ends by itself (polling mode): reading to the end does not hang.
            all.AddRange(await McpSseSession.ReadAsync(poll).ToListAsync());
            polls++;
            await Task.Delay(200);
        }

        Assert.True(polls >= 1);
        var sequences = all.Select(e => long.Parse(e.Id![(e.Id!.IndexOf('.') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), sequences);
        var result = all[^1].Message!.Value;
        Assert.Equal(6, result.GetProperty("result").GetProperty("structuredContent").GetProperty("counted").GetInt32());
    }
}
