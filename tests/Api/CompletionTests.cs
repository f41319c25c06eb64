using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Api;

/// <summary><c>/completions</c> (plain, SSE, status, cancel) and the <c>/ws/completions</c> WebSocket.</summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class CompletionTests(SharedGatewayFactory gateway) : IAsyncLifetime
{
    private readonly OpenAiWireServer _upstream = new("sk-upstream", "gpt-test");
    private string _model = "";

    public async Task InitializeAsync()
    {
        await _upstream.StartAsync();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        _model = $"cmpl-{Guid.NewGuid():N}"[..20];
        await admin.RegisterModelAsync(new
        {
            name = _model,
            provider = "openai",
            config = new { base_url = _upstream.V1.ToString(), api_key = "sk-upstream", provider_model = "gpt-test", max_retries = 0 },
        });
    }

    public Task DisposeAsync() => _upstream.DisposeAsync().AsTask();

    private async Task<(string Key, HttpClient Client)> KeyAsync(long? tokensPerMinute = null)
    {
        var (_, key) = await gateway.CreateKeyAsync(new
        {
            owner = "cmpl-" + Guid.NewGuid().ToString("N")[..8],
            permissions = new[] { "read", "execute" },
            rate_limit = "1000/minute",
            tokens_per_minute = tokensPerMinute,
        });
        return (key, gateway.CreateClient(key));
    }

    private object Body(string content, int? maxTokens = null, string? requestId = null) => new
    {
        model_id = _model,
        messages = new[] { new { role = "user", content } },
        max_tokens = maxTokens,
        request_id = requestId,
    };

    [Fact]
    public async Task A_completion_answers_and_can_be_read_back_by_its_owner_only()
    {
        var (_, client) = await KeyAsync();
        using var response = await client.PostAsJsonAsync("/completions", Body("read me back", requestId: "r-1"));

        var body = await response.AssertOkAsync();
        var id = body.GetProperty("id").GetString()!;
        Assert.StartsWith("cmpl_", id);
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal("echo: read me back", body.GetProperty("text").GetString());
        Assert.Equal("r-1", body.GetProperty("request_id").GetString());
        Assert.Equal(4, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        var status = await client.GetJsonAsync($"/completions/{id}");
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal("echo: read me back", status.GetProperty("text").GetString());
        Assert.Equal("stop", status.GetProperty("finish_reason").GetString());

        var (_, stranger) = await KeyAsync();
        using var hidden = await stranger.GetAsync($"/completions/{id}");
        await hidden.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        using var finished = await client.DeleteAsync($"/completions/{id}");
        await finished.AssertErrorAsync(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task Server_sent_events_carry_start_tokens_and_done()
    {
        var (_, client) = await KeyAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/completions/stream") { Content = JsonContent.Create(Body("one two three")) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<SseItem<string>>();
        await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync())
        {
            events.Add(item);
        }
        Assert.Equal("start", events[0].EventType);
        Assert.StartsWith("mod_", JsonDocument.Parse(events[0].Data).RootElement.GetProperty("model_id").GetString());
        var tokens = events.Where(e => e.EventType == "token").Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("text").GetString()).ToArray();
        Assert.Equal("echo: one two three", string.Concat(tokens));
        Assert.Equal(4, tokens.Length);
        var done = JsonDocument.Parse(events[^1].Data).RootElement;
        Assert.Equal("done", events[^1].EventType);
        Assert.Equal("stop", done.GetProperty("finish_reason").GetString());
        Assert.Equal(4, done.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Deleting_a_running_completion_stops_it_and_its_upstream_call()
    {
        _upstream.StreamDelay = TimeSpan.FromMilliseconds(200);
        var (_, client) = await KeyAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/completions/stream")
        {
            Content = JsonContent.Create(Body(string.Join(' ', Enumerable.Range(0, 40).Select(i => $"w{i}")))),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync().GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        var id = JsonDocument.Parse(events.Current.Data).RootElement.GetProperty("id").GetString()!;
        Assert.Equal("running", (await client.GetJsonAsync($"/completions/{id}")).GetProperty("status").GetString());

        using (var cancel = await client.DeleteAsync($"/completions/{id}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }
        var rest = new List<SseItem<string>>();
        while (await events.MoveNextAsync())
        {
            rest.Add(events.Current);
        }

        Assert.Equal("error", rest[^1].EventType);
        Assert.Equal("completion_cancelled", JsonDocument.Parse(rest[^1].Data).RootElement.GetProperty("error").GetString());
        Assert.True(rest.Count(e => e.EventType == "token") < 40);
        await ModelTestHelpers.EventuallyAsync(() => Task.FromResult(_upstream.AbortedStreams >= 1), TimeSpan.FromSeconds(5), "the upstream to see the cancel");
        Assert.Equal("cancelled", (await client.GetJsonAsync($"/completions/{id}")).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("""{"model_id":"m","messages":[{"role":"user","content":"x"}],"prompt":"y"}""", "prompt")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}]}""", "model_id")]
    [InlineData("""{"model_id":"m","messages":[]}""", "messages")]
    [InlineData("""{"model_id":"m","messages":[{"role":"robot","content":"x"}]}""", "messages[0]")]
    [InlineData("""{"model_id":"m","prompt":"x","max_tokens":0}""", "max_tokens")]
    [InlineData("""{"model_id":"m","prompt":"x","temperature":9}""", "temperature")]
    public async Task Bad_completion_requests_are_refused_with_the_field_named(string json, string field)
    {
        var (_, client) = await KeyAsync();
        using var response = await client.PostAsync("/completions", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(field, (await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error")).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Unknown_fields_models_and_token_quota_overruns_are_refused()
    {
        var (_, client) = await KeyAsync(tokensPerMinute: 50);
        using (var unknown = await client.PostAsync("/completions", new StringContent("""{"model_id":"m","prompt":"x","colour":1}""", Encoding.UTF8, "application/json")))
        {
            await unknown.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        }
        using (var missing = await client.PostAsJsonAsync("/completions", new { model_id = "no-such-model", prompt = "x" }))
        {
            await missing.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        using (var tooBig = await client.PostAsJsonAsync("/completions", Body("x", maxTokens: 100)))
        {
            var error = await tooBig.AssertErrorAsync(HttpStatusCode.TooManyRequests, "token_quota_exceeded");
            Assert.Equal("minute", error.GetProperty("quota").GetString());
            Assert.NotNull(tooBig.Headers.RetryAfter);
        }
        using (var fits = await client.PostAsJsonAsync("/completions", Body("x", maxTokens: 10)))
        {
            await fits.AssertOkAsync();
        }
    }

    private async Task<WebSocket> ConnectAsync(string? key)
    {
        var client = gateway.Server.CreateWebSocketClient();
        if (key is not null)
        {
            client.ConfigureRequest = request => request.Headers["X-API-Key"] = key;
        }
        return await client.ConnectAsync(new Uri(gateway.Server.BaseAddress, "/ws/completions"), CancellationToken.None);
    }

    private static Task SendAsync(WebSocket socket, object frame) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(frame), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<JsonElement?> ReceiveAsync(WebSocket socket, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancel.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return JsonDocument.Parse(message.ToArray()).RootElement;
    }

    /// <summary>Reads frames until every listed request has ended (done, error or cancelled).</summary>
    private static async Task<Dictionary<string, List<JsonElement>>> CollectAsync(WebSocket socket, params string[] requestIds)
    {
        var frames = requestIds.ToDictionary(id => id, _ => new List<JsonElement>());
        var open = new HashSet<string>(requestIds);
        while (open.Count > 0)
        {
            var frame = await ReceiveAsync(socket) ?? throw new InvalidOperationException("The socket closed early.");
            var id = frame.GetProperty("request_id").GetString()!;
            frames[id].Add(frame);
            if (frame.GetProperty("type").GetString() is "done" or "error" or "cancelled")
            {
                open.Remove(id);
            }
        }
        return frames;
    }

    [Fact]
    public async Task Several_completions_stream_at_once_on_one_socket()
    {
        var (key, client) = await KeyAsync();
        using var socket = await ConnectAsync(key);

        await SendAsync(socket, new { type = "completion", request_id = "a", model_id = _model, messages = new[] { new { role = "user", content = "alpha beta gamma" } } });
        await SendAsync(socket, new { request_id = "b", model_id = _model, prompt = "delta epsilon" });
        var frames = await CollectAsync(socket, "a", "b");

        foreach (var (id, expected) in new[] { ("a", "echo: alpha beta gamma"), ("b", "echo: delta epsilon") })
        {
            Assert.Equal("started", frames[id][0].GetProperty("type").GetString());
            Assert.Equal(expected, string.Concat(frames[id].Where(f => f.GetProperty("type").GetString() == "token").Select(f => f.GetProperty("text").GetString())));
            var done = frames[id][^1];
            Assert.Equal("done", done.GetProperty("type").GetString());
            Assert.Equal("stop", done.GetProperty("finish_reason").GetString());
            Assert.True(done.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
        }
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        // Each completion on the socket is a usage event of its own, with the tokens it was charged.
        var keyId = (await client.GetJsonAsync("/api/keys/me")).GetProperty("key_id").GetString();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        JsonElement traffic = default;
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            traffic = (await admin.GetJsonAsync($"/api/keys/{keyId}/usage")).GetProperty("traffic");
            return traffic.GetProperty("by_protocol").TryGetProperty("websocket", out var sockets) && sockets.GetInt64() == 2;
        }, TimeSpan.FromSeconds(20), "both WebSocket completions to be aggregated");
        Assert.Equal(2, traffic.GetProperty("by_route").GetProperty("WS /ws/completions").GetInt64());
        Assert.True(traffic.GetProperty("completion_tokens").GetInt64() > 0);
        Assert.True(traffic.GetProperty("prompt_tokens").GetInt64() > 0);
    }

    [Fact]
    public async Task The_key_can_come_in_the_first_frame_and_a_bad_key_closes_the_socket()
    {
        var (key, _) = await KeyAsync();
        using (var socket = await ConnectAsync(null))
        {
            await SendAsync(socket, new { type = "completion", request_id = "early", model_id = _model, prompt = "x" });
            Assert.Equal("invalid_api_key", (await ReceiveAsync(socket))!.Value.GetProperty("error").GetString());
            await SendAsync(socket, new { type = "auth", api_key = key });
            Assert.Equal("authenticated", (await ReceiveAsync(socket))!.Value.GetProperty("type").GetString());
            await SendAsync(socket, new { type = "completion", request_id = "late", model_id = _model, prompt = "works now" });
            var frames = await CollectAsync(socket, "late");
            Assert.Equal("done", frames["late"][^1].GetProperty("type").GetString());
        }
        using (var socket = await ConnectAsync(null))
        {
            await SendAsync(socket, new { type = "auth", api_key = "mcp_aaaaaaaaaaaaaaaa_cccccccccccccccccccccccccccccccccccccccccccccccccccc" });
            Assert.Equal("invalid_api_key", (await ReceiveAsync(socket))!.Value.GetProperty("error").GetString());
            Assert.Null(await ReceiveAsync(socket));
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        }
    }

    [Fact]
    public async Task A_cancel_frame_stops_one_stream_and_its_upstream_call_while_others_continue()
    {
        _upstream.StreamDelay = TimeSpan.FromMilliseconds(100);
        var (key, _) = await KeyAsync();
        using var socket = await ConnectAsync(key);
        var abortedBefore = _upstream.AbortedStreams;

        await SendAsync(socket, new { request_id = "long", model_id = _model, prompt = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"w{i}")) });
        await SendAsync(socket, new { request_id = "short", model_id = _model, prompt = "a b c" });
        JsonElement frame;
        do
        {
            frame = (await ReceiveAsync(socket))!.Value;
        }
        while (!(frame.GetProperty("request_id").GetString() == "long" && frame.GetProperty("type").GetString() == "token"));
        await SendAsync(socket, new { type = "cancel", request_id = "long" });
        var frames = await CollectAsync(socket, "long", "short");

        Assert.Equal("cancelled", frames["long"][^1].GetProperty("type").GetString());
        Assert.True(frames["long"].Count(f => f.GetProperty("type").GetString() == "token") < 60);
        Assert.Equal("done", frames["short"][^1].GetProperty("type").GetString());
        await ModelTestHelpers.EventuallyAsync(() => Task.FromResult(_upstream.AbortedStreams > abortedBefore), TimeSpan.FromSeconds(5), "the upstream to see the cancel");
    }

    [Fact]
    public async Task An_upstream_cut_ends_the_stream_with_an_error_frame_and_bad_frames_do_not_close_the_socket()
    {
        await using var flaky = new OpenAiWireServer("sk-flaky") { CutStreamAfter = 2 };
        await flaky.StartAsync();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var flakyModel = await admin.RegisterModelAsync(new
        {
            name = $"ws-flaky-{Guid.NewGuid():N}"[..24],
            provider = "openai",
            config = new { base_url = flaky.V1.ToString(), api_key = "sk-flaky", provider_model = "gpt-test", max_retries = 0 },
        });
        var (key, _) = await KeyAsync();
        using var socket = await ConnectAsync(key);

        await socket.SendAsync(Encoding.UTF8.GetBytes("{not json"), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal("invalid_request", (await ReceiveAsync(socket))!.Value.GetProperty("error").GetString());
        await SendAsync(socket, new { request_id = "x", model_id = _model, prompt = "p", colour = "red" });
        Assert.Equal("invalid_request", (await ReceiveAsync(socket))!.Value.GetProperty("error").GetString());
        await SendAsync(socket, new { request_id = "cut", model_id = flakyModel, prompt = "a b c d e f g" });
        var frames = await CollectAsync(socket, "cut");

        var last = frames["cut"][^1];
        Assert.Equal("error", last.GetProperty("type").GetString());
        Assert.Equal("model_error", last.GetProperty("error").GetString());
        Assert.Contains(frames["cut"], f => f.GetProperty("type").GetString() == "token");
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task Concurrent_socket_streams_never_exceed_the_token_quota_and_oversized_messages_close_the_socket()
    {
        var (key, client) = await KeyAsync(tokensPerMinute: 120);
        using var socket = await ConnectAsync(key);
        var ids = Enumerable.Range(0, 10).Select(i => $"q{i}").ToArray();
        // Each request reserves about what it uses (20 prompt tokens + at most 5 out), so one admission too many would
        // show up as real use over the quota.
        var prompt = string.Join(' ', Enumerable.Repeat("ab", 20));
        foreach (var id in ids)
        {
            await SendAsync(socket, new { request_id = id, model_id = _model, prompt, max_tokens = 5 });
        }
        var frames = await CollectAsync(socket, ids);

        var refused = ids.Count(id => frames[id][^1].GetProperty("type").GetString() == "error"
            && frames[id][^1].GetProperty("error").GetString() == "token_quota_exceeded");
        var served = ids.Count(id => frames[id][^1].GetProperty("type").GetString() == "done");
        Assert.Equal(10, refused + served);
        Assert.InRange(served, 1, 9);
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var keyId = (await client.GetJsonAsync("/api/keys/me")).GetProperty("key_id").GetString();
        // A stream settles its tokens just after its final frame, so the last one may still be on its way.
        JsonElement tokens = default;
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            tokens = (await admin.GetJsonAsync($"/api/keys/{keyId}/usage")).GetProperty("tokens");
            return tokens.GetProperty("prompt_tokens").GetInt64() + tokens.GetProperty("completion_tokens").GetInt64() >= served * 25;
        }, Deadlines.Scaled(TimeSpan.FromSeconds(10)), "every served stream's tokens to be settled");
        Assert.True(tokens.GetProperty("this_minute").GetInt64() <= 120, tokens.GetRawText());
        Assert.True(tokens.GetProperty("prompt_tokens").GetInt64() + tokens.GetProperty("completion_tokens").GetInt64() <= 120, tokens.GetRawText());
        Assert.Equal(served * 25, tokens.GetProperty("prompt_tokens").GetInt64() + tokens.GetProperty("completion_tokens").GetInt64());

        await socket.SendAsync(new byte[1024 * 1024 + 10], WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Null(await ReceiveAsync(socket));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
    }
}
