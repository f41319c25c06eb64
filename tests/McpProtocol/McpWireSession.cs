using System.Net;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>
/// A 2025-11-25 MCP session spoken over plain HTTP, so a test decides which gateway each request and the GET stream go
/// to and knows when the stream is open (its response headers arrived): initialize, requests on any gateway, one GET
/// stream whose notifications are counted by method (and by resource for <c>notifications/resources/updated</c>).
/// </summary>
public sealed class McpWireSession : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly string _key;
    private readonly List<(string Method, string? Uri)> _received = [];
    private readonly CancellationTokenSource _closing = new();
    private HttpResponseMessage? _stream;
    private Task? _reading;
    private int _nextId = 1;

    private McpWireSession(string key, string id)
    {
        _key = key;
        Id = id;
    }

    public string Id { get; }

    /// <summary>Why the GET stream ended, once it did.</summary>
    public string? StreamEnded { get; private set; }

    /// <summary>Opens a session on <paramref name="mcp"/> (initialize, then notifications/initialized).</summary>
    public static async Task<McpWireSession> OpenAsync(Uri mcp, string key)
    {
        using var http = new HttpClient();
        using var initialize = await http.SendAsync(Post(mcp, key, null,
            """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"wire","version":"1"}}}"""));
        var text = await initialize.Content.ReadAsStringAsync();
        Assert.True(initialize.IsSuccessStatusCode, $"initialize: {(int)initialize.StatusCode} {text}");
        var session = new McpWireSession(key, initialize.Headers.GetValues("Mcp-Session-Id").Single());
        await session.NotifyAsync(mcp, "notifications/initialized");
        return session;
    }

    /// <summary>A request on <paramref name="mcp"/> (any gateway); its result, or the test fails on an error.</summary>
    public async Task<JsonElement> RequestAsync(Uri mcp, string method, object? parameters = null)
    {
        var (status, message) = await SendAsync(mcp, method, parameters);
        Assert.True(status == HttpStatusCode.OK && message.TryGetProperty("result", out _), $"{method}: {(int)status} {message}");
        return message.GetProperty("result");
    }

    /// <summary>A request whose answer (status and JSON-RPC message) the test examines itself.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Message)> SendAsync(Uri mcp, string method, object? parameters = null, string? key = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var body = JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method, @params = parameters ?? new { } });
        using var response = await _http.SendAsync(Post(mcp, key ?? _key, Id, body));
        var text = await response.Content.ReadAsStringAsync();
        // An SSE answer carries the response as its last data line; a JSON answer is the message itself.
        var data = text.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l[6..]).LastOrDefault(l => l.Length > 0) ?? text;
        return (response.StatusCode, JsonDocument.Parse(data).RootElement.Clone());
    }

    public async Task NotifyAsync(Uri mcp, string method)
    {
        using var response = await _http.SendAsync(Post(mcp, _key, Id, $$"""{"jsonrpc":"2.0","method":"{{method}}"}"""));
        Assert.True(response.IsSuccessStatusCode, $"{method}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Opens the session's GET stream on <paramref name="mcp"/>; returns once its response headers arrived.</summary>
    public async Task OpenStreamAsync(Uri mcp)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, mcp);
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("X-API-Key", _key);
        request.Headers.Add("Mcp-Session-Id", Id);
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        _stream = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _closing.Token)
            .WaitAsync(Deadlines.Scaled(TimeSpan.FromSeconds(30)));
        if (_stream.StatusCode != HttpStatusCode.OK)
        {
            Assert.Fail($"GET stream on {mcp}: {(int)_stream.StatusCode} {await _stream.Content.ReadAsStringAsync()}");
        }
        var body = await _stream.Content.ReadAsStreamAsync();
        _reading = Task.Run(() => ReadAsync(body));
    }

    private async Task ReadAsync(Stream body)
    {
        try
        {
            using var reader = new StreamReader(body, Encoding.UTF8);
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(_closing.Token) is { } line)
            {
                if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(line.AsSpan(5).TrimStart(' '));
                    continue;
                }
                if (line.Length > 0 || data.Length == 0)
                {
                    continue;
                }
                using var message = JsonDocument.Parse(data.ToString());
                data.Clear();
                if (message.RootElement.TryGetProperty("method", out var method))
                {
                    var uri = message.RootElement.TryGetProperty("params", out var p) && p.TryGetProperty("uri", out var u) ? u.GetString() : null;
                    lock (_received)
                    {
                        _received.Add((method.GetString()!, uri));
                    }
                }
            }
            StreamEnded = "the server ended the stream";
        }
        catch (Exception e)
        {
            StreamEnded = $"{e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>Notifications of <paramref name="method"/> (for <paramref name="uri"/>, when given) received so far.</summary>
    public int Count(string method, string? uri = null)
    {
        lock (_received)
        {
            return _received.Count(r => r.Method == method && (uri is null || r.Uri == uri));
        }
    }

    public string Received()
    {
        lock (_received)
        {
            return string.Join(", ", _received.GroupBy(r => r.Uri is null ? r.Method : $"{r.Method} {r.Uri}").Select(g => $"{g.Key} x{g.Count()}"));
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> such notifications arrived, for at most <paramref name="timeout"/> (scaled).</summary>
    public async Task WaitForAsync(string method, int count, TimeSpan timeout, string? uri = null)
    {
        var deadline = DateTime.UtcNow + Deadlines.Scaled(timeout);
        while (Count(method, uri) < count)
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"session {Id}: {Count(method, uri)} of {count} {method} {uri} within {timeout.TotalSeconds} s; received: {Received()}; stream: {StreamEnded ?? "open"}");
            await Task.Delay(20);
        }
    }

    private static HttpRequestMessage Post(Uri mcp, string key, string? sessionId, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, mcp) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("X-API-Key", key);
        if (sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
            request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        }
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        _stream?.Dispose();
        if (_reading is not null)
        {
            await _reading;
        }
        _http.Dispose();
        _closing.Dispose();
    }
}
