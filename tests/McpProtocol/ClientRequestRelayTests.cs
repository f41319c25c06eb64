using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

#pragma warning disable MCP9005 // logging and sampling: 2025-11-25 features, relayed for those sessions

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>
/// What a federated upstream sends the client of a tool call (log lines, sampling and elicitation requests) reaches
/// that client on the call, and the client's answers reach the upstream: the official C# SDK client against the
/// gateway, with the conformance fixtures (a real MCP server) federated unprefixed.
/// </summary>
[Trait("Tier", "Api")]
public sealed class ClientRequestRelayTests : IAsyncLifetime
{
    private readonly ConformanceFixtureServer _fixtures = new();
    private readonly GatewayFactory _gateway = new(new Dictionary<string, string?>
    {
        ["DataSources:SeedSamples"] = "false",
    });
    private string _key = "";

    public async Task InitializeAsync()
    {
        await _fixtures.StartAsync();
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        using (var registered = await admin.PostAsJsonAsync("/integrations", new { name = "fixtures", url = _fixtures.McpEndpoint.ToString(), expose_unprefixed = true }))
        {
            await registered.AssertOkAsync(HttpStatusCode.Created);
        }
        (_, _key) = await _gateway.CreateKeyAsync(new { owner = "relay", permissions = new[] { "read", "execute" } });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _fixtures.DisposeAsync();
    }

    [Fact]
    public async Task The_upstreams_sampling_request_is_answered_by_the_calling_client()
    {
        var asked = new List<CreateMessageRequestParams>();
        await using var client = await ConnectAsync(new McpClientHandlers
        {
            SamplingHandler = (request, _, _) =>
            {
                asked.Add(request!);
                return ValueTask.FromResult(new CreateMessageResult
                {
                    Role = Role.Assistant, Model = "test-model", Content = [new TextContentBlock { Text = "forty-two" }],
                });
            },
        });
        var result = await CallAsync(client, "test_sampling", new() { ["prompt"] = "What is six times seven?" });
        Assert.Equal("LLM response: forty-two", Text(result));
        var request = Assert.Single(asked);
        Assert.Equal("What is six times seven?", Assert.IsType<TextContentBlock>(Assert.Single(request.Messages).Content.Single()).Text);
        Assert.Equal(100, request.MaxTokens);
        // The routing mark the gateway puts on the upstream's messages never reaches the client.
        Assert.True(request.Meta is null || !request.Meta.ContainsKey("io.mcp-cluster/call"));
    }

    [Fact]
    public async Task Elicitation_reaches_the_client_with_the_schema_as_the_upstream_wrote_it()
    {
        var asked = new List<ElicitRequestParams>();
        await using var client = await ConnectAsync(new McpClientHandlers
        {
            ElicitationHandler = (request, _) =>
            {
                asked.Add(request!);
                return ValueTask.FromResult(new ElicitResult
                {
                    Action = "accept",
                    Content = new Dictionary<string, JsonElement>
                    {
                        ["username"] = JsonSerializer.SerializeToElement("ada"), ["email"] = JsonSerializer.SerializeToElement("ada@example.com"),
                    },
                });
            },
        });
        var result = await CallAsync(client, "test_elicitation", new() { ["message"] = "Who are you?" });
        Assert.Equal("""User response: action=accept, content={"username":"ada","email":"ada@example.com"}""", Text(result));
        Assert.Equal("Who are you?", Assert.Single(asked).Message);
        Assert.Equal(["username", "email"], asked[0].RequestedSchema!.Properties.Keys);
    }

    [Fact]
    public async Task A_client_without_the_capability_gets_the_upstreams_refusal_not_a_hang()
    {
        await using var client = await ConnectAsync(new McpClientHandlers());
        // The fixture passes the refusal on as the tool call's error.
        var refused = await Assert.ThrowsAsync<McpProtocolException>(() => CallAsync(client, "test_sampling", new() { ["prompt"] = "hello" }));
        Assert.Contains("The client of this call does not support sampling.", refused.Message);
    }

    [Fact]
    public async Task Log_lines_of_the_call_reach_its_client_in_order_and_at_the_level_it_asked_for()
    {
        await using var client = await ConnectAsync(new McpClientHandlers());
        var lines = new List<string>();
        await using var handler = client.RegisterNotificationHandler(NotificationMethods.LoggingMessageNotification, (notification, _) =>
        {
            lock (lines)
            {
                lines.Add(notification.Params!["data"]!.GetValue<string>());
            }
            return ValueTask.CompletedTask;
        });
        await client.SetLoggingLevelAsync(LoggingLevel.Info);
        var result = await CallAsync(client, "test_tool_with_logging", []);
        Assert.Equal("Logging test completed", Text(result));
        // The SDK client hands each notification to its handler on a task of its own, so they are counted, not ordered.
        await CountedAsync(lines, 3);
        Assert.Equal(["Tool execution completed", "Tool execution started", "Tool processing data"], lines.Order());

        // Above the fixture's info level: the client asked not to hear them. The next call at info level shows that
        // none came in between.
        await client.SetLoggingLevelAsync(LoggingLevel.Warning);
        await CallAsync(client, "test_tool_with_logging", []);
        await client.SetLoggingLevelAsync(LoggingLevel.Info);
        await CallAsync(client, "test_tool_with_logging", []);
        await CountedAsync(lines, 6);
        Assert.Equal(6, lines.Count);
    }

    [Fact]
    public async Task Log_lines_and_the_result_come_in_the_upstreams_order_on_the_calls_stream()
    {
        using var http = _gateway.CreateClient();
        var endpoint = new Uri(http.BaseAddress!, "/mcp");
        var session = new McpSseSession(http, _key);
        await session.InitializeAsync(endpoint);
        using (var level = await http.SendAsync(session.Post(endpoint, """{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"debug"}}""")))
        {
            Assert.Equal(HttpStatusCode.OK, level.StatusCode);
        }
        using var call = await session.OpenAsync(session.Post(endpoint, """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"test_tool_with_logging","arguments":{}}}"""));
        var seen = new List<string>();
        await foreach (var sse in McpSseSession.ReadAsync(call))
        {
            if (sse.Message is not { } message)
            {
                continue;
            }
            if (!message.TryGetProperty("method", out var method))
            {
                seen.Add("result");
                break;
            }
            // Other notifications may share the stream (a catalog change from another test's registration); only
            // the call's log lines are ordered here.
            if (method.GetString() == "notifications/message")
            {
                seen.Add(message.GetProperty("params").GetProperty("data").GetString()!);
            }
        }
        Assert.Equal(["Tool execution started", "Tool processing data", "Tool execution completed", "result"], seen);
    }

    [Fact]
    public async Task A_catalog_change_during_a_call_goes_to_the_sessions_stream_not_the_calls()
    {
        using var http = _gateway.CreateClient();
        var endpoint = new Uri(http.BaseAddress!, "/mcp");
        var session = new McpSseSession(http, _key);
        await session.InitializeAsync(endpoint, """{"elicitation":{"form":{}}}""");
        using var listening = await session.OpenAsync(session.Listen(endpoint));
        Assert.Equal(HttpStatusCode.OK, listening.StatusCode);
        var pushed = System.Threading.Channels.Channel.CreateUnbounded<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var listener = Task.Run(async () =>
        {
            await foreach (var sse in McpSseSession.ReadAsync(listening, stop.Token))
            {
                if (sse.Message is { } message && message.TryGetProperty("method", out var method))
                {
                    await pushed.Writer.WriteAsync(method.GetString()!);
                }
            }
        });

        // The call waits on the client's answer to its elicitation, so its stream stays open meanwhile.
        using var call = await session.OpenAsync(session.Post(endpoint, """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"test_elicitation","arguments":{"message":"Who are you?"}}}"""));
        var events = McpSseSession.ReadAsync(call, stop.Token).GetAsyncEnumerator();
        string? elicitation = null;
        while (elicitation is null && await events.MoveNextAsync())
        {
            if (events.Current.Message is { } message && message.TryGetProperty("method", out var method) && method.GetString() == "elicitation/create")
            {
                elicitation = message.GetProperty("id").GetString();
            }
        }
        Assert.NotNull(elicitation);

        using (var admin = _gateway.CreateClient(GatewayFactory.AdminKey))
        {
            await admin.RegisterModelAsync(new { name = "catalog-change", version = "1.0.0", provider = "builtin", config = new { model = "sentiment" } });
        }
        while (await pushed.Reader.ReadAsync(stop.Token) != "notifications/tools/list_changed")
        {
        }

        using (var answered = await http.SendAsync(session.Post(endpoint, "{\"jsonrpc\":\"2.0\",\"id\":\"" + elicitation
            + "\",\"result\":{\"action\":\"accept\",\"content\":{\"username\":\"ada\",\"email\":\"ada@example.com\"}}}")))
        {
            Assert.Equal(HttpStatusCode.Accepted, answered.StatusCode);
        }
        var onTheCall = new List<string>();
        while (await events.MoveNextAsync())
        {
            if (events.Current.Message is not { } message)
            {
                continue;
            }
            if (!message.TryGetProperty("method", out var method))
            {
                Assert.Contains("ada", message.GetProperty("result").GetRawText(), StringComparison.Ordinal);
                break;
            }
            onTheCall.Add(method.GetString()!);
        }
        await events.DisposeAsync();
        Assert.DoesNotContain("notifications/tools/list_changed", onTheCall);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listener);
    }

    [Fact]
    public async Task A_model_tool_logs_its_call_to_clients_that_asked_and_to_no_one_else()
    {
        await using var client = await ConnectAsync(new McpClientHandlers());
        var lines = new List<(string? Logger, string Text)>();
        await using var handler = client.RegisterNotificationHandler(NotificationMethods.LoggingMessageNotification, (notification, _) =>
        {
            lock (lines)
            {
                lines.Add((notification.Params!["logger"]?.GetValue<string>(), notification.Params!["data"]!.GetValue<string>()));
            }
            return ValueTask.CompletedTask;
        });
        // Without a level set: no log lines (the next call, with one, shows none came from this one).
        await CallAsync(client, "model.sentiment", new() { ["text"] = "a lovely day" });

        await client.SetLoggingLevelAsync(LoggingLevel.Info);
        var result = await CallAsync(client, "model.sentiment", new() { ["text"] = "a lovely day" });
        Assert.NotEqual(true, result.IsError);
        await CountedAsync(lines, 2);
        Assert.Equal(2, lines.Count);
        Assert.Contains(("model.sentiment", "Calling model.sentiment"), lines);
        Assert.Contains(lines, l => l.Logger == "model.sentiment" && System.Text.RegularExpressions.Regex.IsMatch(l.Text, @"^model\.sentiment answered in \d+ ms$"));
    }

    /// <summary>Waits (at most 10 s) until <paramref name="lines"/> holds <paramref name="count"/> items.</summary>
    private static async Task CountedAsync<T>(List<T> lines, int count) =>
        await ModelTestHelpers.EventuallyAsync(() =>
        {
            lock (lines)
            {
                return Task.FromResult(lines.Count >= count);
            }
        }, TimeSpan.FromSeconds(10), $"{count} log lines");

    [Fact]
    public async Task Stray_forged_and_oversized_answers_get_the_documented_answers_and_harm_no_session()
    {
        using var http = _gateway.CreateClient();
        var endpoint = new Uri(http.BaseAddress!, "/mcp");
        var session = new McpSseSession(http, _key);
        await session.InitializeAsync(endpoint);
        // Answers to requests no gateway sent (a made-up gateway, or a well-formed id nothing waits for): accepted
        // and dropped, as MCP asks of a response the server cannot use.
        foreach (var id in new[] { "mcpc.0123456789abcdef0123456789abcdef.x", "mcpc..x", "mcpc.", "mcpc.gw" })
        {
            using var stray = await http.SendAsync(session.Post(endpoint, "{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"error\":{\"code\":-1,\"message\":\"no\"}}"));
            Assert.True(stray.StatusCode is HttpStatusCode.Accepted, $"{id}: {(int)stray.StatusCode} {await stray.Content.ReadAsStringAsync()}");
        }
        // Not JSON, or JSON-RPC in an unexpected shape: the SDK's own JSON-RPC errors, never a 500.
        foreach (var body in new[] { "{not json", """{"jsonrpc":"2.0","id":"mcpc.x.y"}""", """[{"jsonrpc":"2.0","id":"mcpc.a.b","result":{}}]""" })
        {
            using var odd = await http.SendAsync(session.Post(endpoint, body));
            Assert.True((int)odd.StatusCode is >= 200 and < 500, $"{body}: {(int)odd.StatusCode}");
        }
        // A body over Gateway:MaxRequestBodyBytes, sent chunked so only reading finds out: 413 in the error shape.
        var huge = "{\"jsonrpc\":\"2.0\",\"id\":\"mcpc.a.b\",\"result\":{\"text\":\"" + new string('a', 1024 * 1024 + 10) + "\"}}";
        using var oversized = session.Post(endpoint, huge);
        oversized.Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(huge)));
        oversized.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        oversized.Headers.TransferEncodingChunked = true;
        await (await http.SendAsync(oversized)).AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        // The session goes on.
        using var ping = await http.SendAsync(session.Post(endpoint, """{"jsonrpc":"2.0","id":5,"method":"ping"}"""));
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    private async Task<McpClient> ConnectAsync(McpClientHandlers handlers)
    {
        var http = _gateway.CreateClient(_key);
        return await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp,
        }, http, ownsHttpClient: true), new McpClientOptions { ProtocolVersion = "2025-11-25", Handlers = handlers });
    }

    private async Task<CallToolResult> CallAsync(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            return await client.CallToolAsync(tool, arguments, cancellationToken: deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"{tool} did not answer in 30 s. Gateway log:\n{string.Join('\n', _gateway.Logs.Where(l => !l.Contains("Trace", StringComparison.Ordinal)).TakeLast(80))}");
        }
    }

    private static string Text(CallToolResult result) => string.Join("", result.Content.OfType<TextContentBlock>().Select(c => c.Text));
}
