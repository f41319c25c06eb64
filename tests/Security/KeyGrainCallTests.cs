using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Mcp.Cluster.Tests.Security;

/// <summary>Records every call to a key grain but its creation (method names in order, per key), in the gateway's co-hosted silo.</summary>
public sealed class KeyGrainCallRecorder : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _calls = new();

    public IReadOnlyList<string> CallsTo(string keyId) => _calls.TryGetValue(keyId, out var calls) ? [.. calls] : [];

    public Task Invoke(IIncomingGrainCallContext context)
    {
        // Creating a key is how a test sets up, not part of the requests measured; the grain's own timer ticks (its usage
        // flush, every second in tests, seen as InvokeCallbackAsync on a slow machine) are no request either.
        if (context.Grain is IApiKeyGrain && context.InterfaceMethod.DeclaringType == typeof(IApiKeyGrain)
            && context.InterfaceMethod.Name != nameof(IApiKeyGrain.CreateAsync))
        {
            _calls.GetOrAdd(context.TargetId.Key.ToString()!, _ => new()).Enqueue(context.InterfaceMethod.Name);
        }
        return context.Invoke();
    }
}

public sealed class KeyCallRecordingGateway() : GatewayFactory(null)
{
    public KeyGrainCallRecorder Recorder { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IIncomingGrainCallFilter>(Recorder));
    }
}

/// <summary>
/// Issue 18: a completion costs one key-grain call before it streams (authentication, permission, rate limit, request
/// quota and the token reservation together) and one after (the settle); every refusal keeps the body, status and
/// headers it had when the scheme asked the grain on its own. Revoking or rotating a key is one call to its grain,
/// which decides whether the caller may.
/// </summary>
[Trait("Tier", "Api")]
public sealed class KeyGrainCallTests(KeyCallRecordingGateway gateway) : IClassFixture<KeyCallRecordingGateway>, IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private readonly OpenAiWireServer _upstream = new("sk-upstream", "gpt-test");
    private string _model = "";

    public async Task InitializeAsync()
    {
        await _upstream.StartAsync();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        _model = $"calls-{Guid.NewGuid():N}"[..20];
        await admin.RegisterModelAsync(new
        {
            name = _model,
            provider = "openai",
            config = new { base_url = _upstream.V1.ToString(), api_key = "sk-upstream", provider_model = "gpt-test", max_retries = 0 },
        });
    }

    public Task DisposeAsync() => _upstream.DisposeAsync().AsTask();

    private Task<(string KeyId, string ApiKey)> KeyAsync(string[]? permissions = null, string rateLimit = "1000/minute", long? dailyQuota = null,
        long? tokensPerMinute = null) =>
        gateway.CreateKeyAsync(new
        {
            owner = "calls-" + Guid.NewGuid().ToString("N")[..8],
            permissions = permissions ?? ["read", "execute"],
            rate_limit = rateLimit,
            daily_quota = dailyQuota,
            tokens_per_minute = tokensPerMinute,
        });

    private object Body(int maxTokens = 10) => new { model_id = _model, messages = new[] { new { role = "user", content = "hi" } }, max_tokens = maxTokens };

    private async Task<IReadOnlyList<string>> SettledCallsAsync(string keyId)
    {
        // The settle runs after the answer is written; wait for it rather than a fixed time.
        var deadline = DateTime.UtcNow + Deadline;
        while (!gateway.Recorder.CallsTo(keyId).Contains(nameof(IApiKeyGrain.SettleTokensAsync)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"The completion settled within {Deadline.TotalSeconds} s: {string.Join(", ", gateway.Recorder.CallsTo(keyId))}");
            await Task.Delay(20);
        }
        return gateway.Recorder.CallsTo(keyId);
    }

    [Theory]
    [InlineData("/completions", false)]
    [InlineData("/completions/stream", false)]
    [InlineData("/v1/chat/completions", true)]
    public async Task A_completion_asks_the_key_grain_once_before_it_streams_and_once_after(string route, bool openAi)
    {
        var (keyId, apiKey) = await KeyAsync();
        using var client = openAi ? gateway.CreateBearerClient(apiKey) : gateway.CreateClient(apiKey);
        object body = openAi
            ? new { model = _model, messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 10 }
            : Body();
        using (var response = await client.PostAsJsonAsync(route, body))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.Contains("X-RateLimit-Remaining"));
            await response.Content.ReadAsStringAsync();
        }

        Assert.Equal([nameof(IApiKeyGrain.AuthorizeAndReserveAsync), nameof(IApiKeyGrain.SettleTokensAsync)], await SettledCallsAsync(keyId));
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var usage = await admin.GetJsonAsync($"/api/keys/{keyId}/usage");
        Assert.Equal(1, usage.GetProperty("requests_today").GetInt64());
        Assert.True(usage.GetProperty("tokens").GetProperty("completion_tokens").GetInt64() > 0);
    }

    [Fact]
    public async Task Missing_malformed_unknown_and_revoked_keys_get_the_401_of_every_other_route()
    {
        using (var anonymous = gateway.CreateClient(null))
        using (var missing = await anonymous.PostAsJsonAsync("/completions", Body()))
        {
            var error = await missing.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
            Assert.StartsWith("Missing API key", error.GetProperty("detail").GetString());
            Assert.Equal("ApiKey header=\"X-API-Key\"", missing.Headers.WwwAuthenticate.ToString());
        }
        using (var malformed = gateway.CreateClient("not-a-key"))
        using (var response = await malformed.PostAsJsonAsync("/completions", Body()))
        {
            var error = await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
            Assert.Equal("Invalid API key.", error.GetProperty("detail").GetString());
        }
        var (unknownId, unknownKey) = ApiKeyFormat.Generate();
        using (var unknown = gateway.CreateClient(unknownKey))
        using (var response = await unknown.PostAsJsonAsync("/completions", Body()))
        {
            var error = await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
            Assert.Equal("Invalid API key.", error.GetProperty("detail").GetString());
            Assert.Equal("ApiKey header=\"X-API-Key\"", response.Headers.WwwAuthenticate.ToString());
            Assert.False(response.Headers.Contains("X-RateLimit-Remaining"));
        }
        Assert.Equal([nameof(IApiKeyGrain.AuthorizeAndReserveAsync)], gateway.Recorder.CallsTo(unknownId));

        var (keyId, apiKey) = await KeyAsync();
        using (var admin = gateway.CreateClient(GatewayFactory.AdminKey))
        using (var revoke = await admin.DeleteAsync($"/api/keys/{keyId}"))
        {
            await revoke.AssertOkAsync();
        }
        var before = gateway.Recorder.CallsTo(keyId).Count;
        using (var revoked = gateway.CreateBearerClient(apiKey))
        using (var response = await revoked.PostAsJsonAsync("/v1/chat/completions", new { model = _model, messages = new[] { new { role = "user", content = "hi" } } }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var error = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("error");
            Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
            Assert.Equal("API key has been revoked.", error.GetProperty("message").GetString());
        }
        Assert.Equal(before + 1, gateway.Recorder.CallsTo(keyId).Count);
    }

    [Fact]
    public async Task Forbidden_rate_limited_and_over_quota_keys_are_refused_in_that_one_call_and_reserve_nothing()
    {
        var (readerId, reader) = await KeyAsync(permissions: ["read"]);
        using (var client = gateway.CreateClient(reader))
        using (var response = await client.PostAsJsonAsync("/completions", Body()))
        {
            var error = await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
            Assert.Equal("execute", error.GetProperty("required_permission").GetString());
            Assert.Equal("This API key lacks the 'execute' permission.", error.GetProperty("detail").GetString());
            Assert.True(response.Headers.Contains("X-RateLimit-Remaining"));
        }
        Assert.Equal([nameof(IApiKeyGrain.AuthorizeAndReserveAsync)], gateway.Recorder.CallsTo(readerId));

        var (limitedId, limited) = await KeyAsync(rateLimit: "1/minute");
        using (var client = gateway.CreateClient(limited))
        {
            using (var first = await client.PostAsJsonAsync("/completions", Body()))
            {
                await first.AssertOkAsync();
            }
            using var second = await client.PostAsJsonAsync("/completions", Body());
            var error = await second.AssertErrorAsync(HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
            Assert.Equal(1, error.GetProperty("cost").GetInt32());
            Assert.True(error.TryGetProperty("reset_time", out _));
            Assert.NotNull(second.Headers.RetryAfter);
            Assert.Equal("0", second.Headers.GetValues("X-RateLimit-Remaining").Single());
        }
        var limitedCalls = await SettledCallsAsync(limitedId);
        Assert.Equal(2, limitedCalls.Count(c => c == nameof(IApiKeyGrain.AuthorizeAndReserveAsync)));
        Assert.Single(limitedCalls, nameof(IApiKeyGrain.SettleTokensAsync));

        var (quotaId, quota) = await KeyAsync(dailyQuota: 1);
        using (var client = gateway.CreateClient(quota))
        {
            using (var first = await client.PostAsJsonAsync("/completions", Body()))
            {
                await first.AssertOkAsync();
            }
            using var second = await client.PostAsJsonAsync("/completions", Body());
            var error = await second.AssertErrorAsync(HttpStatusCode.TooManyRequests, "quota_exceeded");
            Assert.Equal("daily", error.GetProperty("quota").GetString());
            Assert.NotNull(second.Headers.RetryAfter);
        }
        var quotaCalls = await SettledCallsAsync(quotaId);
        Assert.Equal(2, quotaCalls.Count(c => c == nameof(IApiKeyGrain.AuthorizeAndReserveAsync)));

        var (tokensId, tokens) = await KeyAsync(tokensPerMinute: 20);
        using (var client = gateway.CreateClient(tokens))
        using (var response = await client.PostAsJsonAsync("/completions", Body(maxTokens: 100)))
        {
            var error = await response.AssertErrorAsync(HttpStatusCode.TooManyRequests, "token_quota_exceeded");
            Assert.Equal("minute", error.GetProperty("quota").GetString());
        }
        Assert.Equal([nameof(IApiKeyGrain.AuthorizeAndReserveAsync)], gateway.Recorder.CallsTo(tokensId));
        using (var admin = gateway.CreateClient(GatewayFactory.AdminKey))
        {
            // Refused before anything was reserved: the token window is untouched, the request itself counted.
            var usage = await admin.GetJsonAsync($"/api/keys/{readerId}/usage");
            Assert.Equal(0, usage.GetProperty("tokens").GetProperty("this_minute").GetInt64());
            Assert.Equal(1, usage.GetProperty("rejected_requests").GetInt64());
        }
    }

    [Fact]
    public async Task Revoking_or_rotating_a_key_is_one_call_to_its_grain_which_decides_who_may()
    {
        var owner = "calls-" + Guid.NewGuid().ToString("N")[..8];
        var (parentId, parentKey) = await gateway.CreateKeyAsync(new { owner, permissions = new[] { "read", "write" } });
        using var parent = gateway.CreateClient(parentKey);
        var created = await (await parent.PostJsonAsync("/api/keys", new { owner, permissions = new[] { "read" } })).AssertOkAsync(HttpStatusCode.Created);
        var childId = created.GetProperty("key_id").GetString()!;
        var (_, siblingKey) = await gateway.CreateKeyAsync(new { owner, permissions = new[] { "read", "write" } });
        using var sibling = gateway.CreateClient(siblingKey);

        // A sibling may neither rotate nor revoke it: the key grain says so, and it looks like a missing key.
        await (await sibling.PostJsonAsync($"/api/keys/{childId}/rotate", new { grace_period_seconds = 0 })).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
        await (await sibling.DeleteAsync($"/api/keys/{childId}")).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
        Assert.Equal([nameof(IApiKeyGrain.RotateForAsync), nameof(IApiKeyGrain.RevokeForAsync)], gateway.Recorder.CallsTo(childId));

        var rotated = await (await parent.PostJsonAsync($"/api/keys/{childId}/rotate", new { grace_period_seconds = 60 })).AssertOkAsync();
        Assert.NotNull(rotated.GetProperty("previous_key_valid_until").GetString());
        using (var revoke = await parent.DeleteAsync($"/api/keys/{childId}"))
        {
            var revoked = await revoke.AssertOkAsync();
            Assert.Equal("revoked", revoked.GetProperty("status").GetString());
            Assert.Equal(childId, revoked.GetProperty("key_id").GetString());
        }
        Assert.Equal(
            [nameof(IApiKeyGrain.RotateForAsync), nameof(IApiKeyGrain.RevokeForAsync), nameof(IApiKeyGrain.RotateForAsync), nameof(IApiKeyGrain.RevokeForAsync)],
            gateway.Recorder.CallsTo(childId));
        await (await parent.PostJsonAsync($"/api/keys/{childId}/rotate", new { })).AssertErrorAsync(HttpStatusCode.Conflict, "key_revoked");

        // The creating key's own grain decides what it may hand out: one call besides its authorization.
        var before = gateway.Recorder.CallsTo(parentId).Count;
        var tooMuch = await (await parent.PostJsonAsync("/api/keys", new { owner, permissions = new[] { "execute" } })).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("A key cannot create a key with permissions it does not hold itself.", tooMuch.GetProperty("detail").GetString());
        Assert.Equal([nameof(IApiKeyGrain.AuthorizeAsync), nameof(IApiKeyGrain.GrantAsync)], gateway.Recorder.CallsTo(parentId).Skip(before));
    }

    [Fact]
    public async Task A_websocket_completion_frame_asks_the_key_grain_once_before_it_streams_and_a_refused_one_once_in_all()
    {
        var (keyId, apiKey) = await KeyAsync(rateLimit: "2/minute");
        var client = gateway.Server.CreateWebSocketClient();
        client.ConfigureRequest = request => request.Headers["X-API-Key"] = apiKey;
        using var socket = await client.ConnectAsync(new Uri(gateway.Server.BaseAddress, "/ws/completions"), CancellationToken.None);
        // The upgrade is the connection's own request, checked by the scheme.
        Assert.Equal([nameof(IApiKeyGrain.AuthorizeAsync)], gateway.Recorder.CallsTo(keyId));

        await SendFrameAsync(socket, new { type = "completion", request_id = "one", model_id = _model, prompt = "hi", max_tokens = 10 });
        Assert.Equal("done", await LastFrameTypeAsync(socket, "one"));
        Assert.Equal(
            [nameof(IApiKeyGrain.AuthorizeAsync), nameof(IApiKeyGrain.AuthorizeAndReserveAsync), nameof(IApiKeyGrain.SettleTokensAsync)],
            await SettledCallsAsync(keyId));

        // The key's two requests a minute are used (the upgrade and the first frame): refused in the one call, nothing reserved.
        await SendFrameAsync(socket, new { type = "completion", request_id = "two", model_id = _model, prompt = "hi", max_tokens = 10 });
        var refusal = await NextFrameAsync(socket);
        Assert.Equal("error", refusal.GetProperty("type").GetString());
        Assert.Equal("two", refusal.GetProperty("request_id").GetString());
        Assert.Equal("rate_limit_exceeded", refusal.GetProperty("error").GetString());
        Assert.Equal(
            [nameof(IApiKeyGrain.AuthorizeAsync), nameof(IApiKeyGrain.AuthorizeAndReserveAsync), nameof(IApiKeyGrain.SettleTokensAsync),
                nameof(IApiKeyGrain.AuthorizeAndReserveAsync)],
            gateway.Recorder.CallsTo(keyId));
        await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    private static Task SendFrameAsync(System.Net.WebSockets.WebSocket socket, object frame) =>
        socket.SendAsync(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(frame), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<System.Text.Json.JsonElement> NextFrameAsync(System.Net.WebSockets.WebSocket socket)
    {
        using var cancel = new CancellationTokenSource(Deadline);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        System.Net.WebSockets.WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancel.Token);
            Assert.NotEqual(System.Net.WebSockets.WebSocketMessageType.Close, result.MessageType);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return System.Text.Json.JsonDocument.Parse(message.ToArray()).RootElement.Clone();
    }

    /// <summary>Reads the request's frames until it ends; the type of its last one.</summary>
    private static async Task<string> LastFrameTypeAsync(System.Net.WebSockets.WebSocket socket, string requestId)
    {
        while (true)
        {
            var frame = await NextFrameAsync(socket);
            var type = frame.GetProperty("type").GetString()!;
            if (frame.GetProperty("request_id").GetString() == requestId && type is "done" or "error" or "cancelled")
            {
                return type;
            }
        }
    }

    [Theory]
    [InlineData("/completions", false)]
    [InlineData("/completions/stream", false)]
    [InlineData("/v1/chat/completions", true)]
    public async Task A_key_that_may_not_call_is_told_so_before_the_body_or_the_model_is_judged(string route, bool openAi)
    {
        // Well formed but unknown: without the key check first, a 404 would tell it which model names exist.
        var stranger = "mcp_" + new string('q', 16) + "_" + new string('r', 52);
        using var client = openAi ? gateway.CreateBearerClient(stranger) : gateway.CreateClient(stranger);
        object unknownModel = openAi
            ? new { model = "no-such-model", messages = new[] { new { role = "user", content = "hi" } } }
            : new { model_id = "no-such-model", messages = new[] { new { role = "user", content = "hi" } } };
        object badBody = openAi ? new { model = _model } : new { model_id = _model };
        foreach (var body in new[] { unknownModel, badBody })
        {
            using var response = await client.PostAsJsonAsync(route, body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{(int)response.StatusCode} {text}");
            Assert.Contains("invalid_api_key", text);
        }

        // A genuine key without execute: 403 first, too.
        var (_, reader) = await KeyAsync(["read"]);
        using var readOnly = openAi ? gateway.CreateBearerClient(reader) : gateway.CreateClient(reader);
        using (var response = await readOnly.PostAsJsonAsync(route, unknownModel))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }
}
