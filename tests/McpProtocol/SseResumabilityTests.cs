using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>
/// Resumable SSE on <c>/mcp</c>: every stream starts with a priming event (an id, no data, a <c>retry</c> hint), and a
/// client that lost a stream gets what it missed, once, with <c>GET</c> and <c>Last-Event-ID</c>; ids that are not
/// its own, made up or expired get a 400, never a 500 or a hang.
/// </summary>
[Trait("Tier", "Api")]
public sealed class SseResumabilityTests : IAsyncLifetime
{
    private readonly McpFixtureServer _upstream = new("fixture-secret");
    private readonly GatewayFactory _gateway = new(new Dictionary<string, string?>
    {
        ["Models:SeedBuiltInModels"] = "false",
        ["DataSources:SeedSamples"] = "false",
        ["Mcp:SseRetryInterval"] = "00:00:02.500",
        ["Mcp:SseCompletedStreamRetention"] = "00:00:01",
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
        (_, _key) = await _gateway.CreateKeyAsync(new { owner = "resumer", permissions = new[] { "read", "execute" } });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task A_post_stream_starts_with_a_priming_event_that_carries_an_id_and_the_retry_hint()
    {
        var session = new McpSseSession(_http, _key);
        await session.InitializeAsync(_endpoint);

        using var response = await session.OpenAsync(session.Post(_endpoint, """{"jsonrpc":"2.0","id":7,"method":"tools/list"}"""));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await McpSseSession.ReadAsync(response).ToListAsync();

        var priming = events[0];
        Assert.NotNull(priming.Id);
        Assert.Equal("", priming.Data);
        Assert.Equal(2500, priming.Retry);
        var answer = Assert.Single(events, e => e.Data.Length > 0);
        Assert.Equal(7, answer.Message!.Value.GetProperty("id").GetInt32());
        Assert.NotEqual(priming.Id, answer.Id);
        // Ids are unguessable tokens, not the session id.
        Assert.DoesNotContain(session.SessionId, priming.Id);
    }

    [Fact]
    public async Task A_client_that_drops_a_call_mid_stream_gets_every_missed_message_once_on_resuming()
    {
        var session = new McpSseSession(_http, _key);
        await session.InitializeAsync(_endpoint);
        var (before, lastSeen) = await CallAndDropAfterFirstProgressAsync(session, _endpoint, steps: 6);

        using var resumed = await session.OpenAsync(session.Resume(_endpoint, lastSeen));
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        var after = await McpSseSession.ReadAsync(resumed).ToListAsync();

        AssertExactlyOnceThroughTheResult(before, after, steps: 6);
    }

    [Fact]
    public async Task A_notification_sent_while_the_get_stream_was_lost_is_replayed_on_resuming_and_the_stream_goes_on()
    {
        var session = new McpSseSession(_http, _key);
        await session.InitializeAsync(_endpoint);
        // A request makes the gateway track the session for catalog notifications.
        using (var listed = await _http.SendAsync(session.Post(_endpoint, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        }
        var get = new HttpRequestMessage(HttpMethod.Get, _endpoint);
        get.Headers.Accept.ParseAdd("text/event-stream");
        get.Headers.Add("X-API-Key", _key);
        get.Headers.Add("Mcp-Session-Id", session.SessionId);
        get.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        string primingId;
        using (var cts = new CancellationTokenSource())
        {
            var stream = await session.OpenAsync(get, cts.Token);
            await using var events = McpSseSession.ReadAsync(stream, cts.Token).GetAsyncEnumerator(cts.Token);
            Assert.True(await events.MoveNextAsync());
            Assert.Equal("", events.Current.Data);
            Assert.Equal(2500, events.Current.Retry);
            primingId = events.Current.Id!;
            // The client loses its GET stream.
            await cts.CancelAsync();
            stream.Dispose();
        }

        // While it is gone, the catalog changes.
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        await admin.RegisterModelAsync(new { name = "missed-" + Guid.NewGuid().ToString("N")[..8], provider = "builtin", config = new { task = "classification" } });

        using var resumeCts = new CancellationTokenSource(Deadlines.Scaled(TimeSpan.FromSeconds(30)));
        using var resumed = await session.OpenAsync(session.Resume(_endpoint, primingId), resumeCts.Token);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        var replayed = new List<SseEvent>();
        await using (var events = McpSseSession.ReadAsync(resumed, resumeCts.Token).GetAsyncEnumerator(resumeCts.Token))
        {
            while (!replayed.Any(e => e.Data.Contains("notifications/tools/list_changed")))
            {
                Assert.True(await events.MoveNextAsync(), "the resumed stream ended before the missed notification");
                replayed.Add(events.Current);
            }
        }
        Assert.Single(replayed, e => e.Data.Contains("notifications/tools/list_changed"));
        Assert.Equal(primingId[..primingId.IndexOf('.')] + ".2", replayed[0].Id);
    }

    [Fact]
    public async Task Last_event_ids_that_are_malformed_foreign_beyond_the_stream_or_expired_get_a_400_and_never_a_500()
    {
        var mine = new McpSseSession(_http, _key);
        await mine.InitializeAsync(_endpoint);
        using var response = await mine.OpenAsync(mine.Post(_endpoint, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}"""));
        var events = await McpSseSession.ReadAsync(response).ToListAsync();
        var id = events[0].Id!;
        var token = id[..id.IndexOf('.')];

        // Another session of the same key cannot read this session's stream (the SDK compares the stream's session).
        var other = new McpSseSession(_http, _key);
        await other.InitializeAsync(_endpoint);
        await AssertRefusedAsync(other, id, HttpStatusCode.BadRequest);
        // Another key's session is not even found.
        var (_, otherKey) = await _gateway.CreateKeyAsync(new { owner = "intruder", permissions = new[] { "read", "execute" } });
        var intruder = new McpSseSession(_http, otherKey);
        await intruder.InitializeAsync(_endpoint);
        await AssertRefusedAsync(intruder, id, HttpStatusCode.NotFound, mine.SessionId);

        foreach (var garbage in new[]
        {
            "1", "abc", token, token + ".", token + ".0", token + ".-1", token + ".1e3", token + ". 1", token + ".99999999999999999999",
            token + ".1.2", token[..^1] + "=.1", token[..^1] + "+.1", new string('A', 22) + ".1", new string('x', 4000),
        })
        {
            await AssertRefusedAsync(mine, garbage, HttpStatusCode.BadRequest);
        }
        // A sequence the stream never reached.
        await AssertRefusedAsync(mine, token + ".99", HttpStatusCode.BadRequest);

        // The completed stream is kept for Mcp:SseCompletedStreamRetention (1 s here), then its ids have expired.
        var deadline = DateTime.UtcNow + Deadlines.Scaled(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var resumed = await mine.OpenAsync(mine.Resume(_endpoint, id));
            if (resumed.StatusCode == HttpStatusCode.BadRequest)
            {
                await AssertJsonRpcErrorAsync(resumed);
                break;
            }
            Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "the completed stream did not expire");
            await Task.Delay(200);
        }
    }

    /// <summary>Calls the upstream's slow_count with a progress token and drops the stream after the first progress notification.</summary>
    internal static async Task<(List<SseEvent> Seen, string LastEventId)> CallAndDropAfterFirstProgressAsync(McpSseSession session, Uri endpoint, int steps)
    {
        var body = """{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"fixture.slow_count","arguments":{"steps":"""
            + steps + ""","delay_ms":300},"_meta":{"progressToken":"p1"}}}""";
        using var cts = new CancellationTokenSource();
        var response = await session.OpenAsync(session.Post(endpoint, body), cts.Token);
        var seen = new List<SseEvent>();
        await foreach (var e in McpSseSession.ReadAsync(response, cts.Token))
        {
            seen.Add(e);
            if (e.Message is { } m && m.GetProperty("method").GetString() == "notifications/progress")
            {
                break;
            }
        }
        // The client loses the stream here (the connection closes) while the call goes on.
        await cts.CancelAsync();
        response.Dispose();
        Assert.Contains(seen, e => e.Message is { } m && m.TryGetProperty("method", out _));
        return (seen, seen[^1].Id!);
    }

    /// <summary>
    /// Both pieces together are the whole stream, each event once: ids count 1, 2, … without a gap or repeat, the
    /// progress only increases, and the result comes last.
    /// </summary>
    internal static void AssertExactlyOnceThroughTheResult(List<SseEvent> before, List<SseEvent> after, int steps)
    {
        var all = before.Concat(after).ToList();
        var sequences = all.Select(e => long.Parse(e.Id![(e.Id!.IndexOf('.') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), sequences);
        Assert.Single(all.Select(e => e.Id![..e.Id!.IndexOf('.')]).Distinct());
        Assert.NotEmpty(after);
        var result = all[^1].Message!.Value;
        Assert.Equal(42, result.GetProperty("id").GetInt32());
        Assert.Equal(steps, result.GetProperty("result").GetProperty("structuredContent").GetProperty("counted").GetInt32());
        var progress = all.Where(e => e.Message is { } m && m.TryGetProperty("method", out var method) && method.GetString() == "notifications/progress")
            .Select(e => e.Message!.Value.GetProperty("params").GetProperty("progress").GetDouble()).ToList();
        Assert.Equal(progress.Order(), progress);
        Assert.Equal(progress.Count, progress.Distinct().Count());
        Assert.Contains(after, e => e.Message is { } m && m.TryGetProperty("method", out _));
    }

    private async Task AssertRefusedAsync(McpSseSession session, string lastEventId, HttpStatusCode status, string? sessionId = null)
    {
        using var cts = new CancellationTokenSource(Deadlines.Scaled(TimeSpan.FromSeconds(20)));
        using var response = await session.OpenAsync(session.Resume(_endpoint, lastEventId, sessionId), cts.Token);
        Assert.True(status == response.StatusCode, $"Last-Event-ID '{lastEventId[..Math.Min(40, lastEventId.Length)]}': {(int)response.StatusCode}");
        if (status == HttpStatusCode.BadRequest)
        {
            await AssertJsonRpcErrorAsync(response);
        }
    }

    private static async Task AssertJsonRpcErrorAsync(HttpResponseMessage response)
    {
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("2.0", error.GetProperty("jsonrpc").GetString());
        Assert.Contains("Last-Event-ID", error.GetProperty("error").GetProperty("message").GetString());
    }
}
