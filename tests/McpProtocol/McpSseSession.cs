using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>One server-sent event as a client sees it on the wire.</summary>
public sealed record SseEvent(string? Id, string? Event, string Data, int? Retry)
{
    public JsonElement? Message => Data.Length == 0 ? null : JsonDocument.Parse(Data).RootElement;
}

/// <summary>
/// A 2025-11-25 MCP session spoken in raw Streamable HTTP, so a test can see event ids, priming events and
/// <c>retry</c> fields, drop a stream in the middle and resume it with <c>Last-Event-ID</c> on any gateway.
/// </summary>
public sealed class McpSseSession(HttpClient http, string apiKey)
{
    public string SessionId { get; private set; } = "";

    public async Task InitializeAsync(Uri endpoint, string capabilities = "{}")
    {
        using (var response = await http.SendAsync(Post(endpoint,
            """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":""" + capabilities
            + ""","clientInfo":{"name":"resumer","version":"1"}}}""", session: false)))
        {
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            SessionId = response.Headers.GetValues("Mcp-Session-Id").Single();
        }
        using var initialized = await http.SendAsync(Post(endpoint, """{"jsonrpc":"2.0","method":"notifications/initialized"}"""));
        Assert.Equal(HttpStatusCode.Accepted, initialized.StatusCode);
    }

    public HttpRequestMessage Post(Uri endpoint, string body, bool session = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        Authorize(request, session);
        return request;
    }

    public HttpRequestMessage Resume(Uri endpoint, string lastEventId, string? sessionId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
        request.Headers.Accept.ParseAdd("text/event-stream");
        Authorize(request, session: true, sessionId);
        request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        return request;
    }

    /// <summary>The session's GET stream (server-initiated messages), without resuming.</summary>
    public HttpRequestMessage Listen(Uri endpoint)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
        request.Headers.Accept.ParseAdd("text/event-stream");
        Authorize(request, session: true);
        return request;
    }

    /// <summary>Sends a request and returns its response as soon as the headers arrive, with the body still streaming.</summary>
    public Task<HttpResponseMessage> OpenAsync(HttpRequestMessage request, CancellationToken cancellationToken = default) =>
        http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    private void Authorize(HttpRequestMessage request, bool session, string? sessionId = null)
    {
        request.Headers.Add("X-API-Key", apiKey);
        if (session)
        {
            request.Headers.Add("Mcp-Session-Id", sessionId ?? SessionId);
            request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        }
    }

    /// <summary>The events of an SSE body, each as soon as its blank line arrives.</summary>
    public static async IAsyncEnumerable<SseEvent> ReadAsync(HttpResponseMessage response, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        string? id = null, type = null;
        int? retry = null;
        var data = new StringBuilder();
        var any = false;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (any)
                {
                    yield return new SseEvent(id, type, data.ToString(), retry);
                }
                (id, type, retry, any) = (null, null, null, false);
                data.Clear();
                continue;
            }
            if (line.StartsWith(':'))
            {
                continue;
            }
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            any = true;
            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    type = value;
                    break;
                case "retry":
                    retry = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "data":
                    data.Append(data.Length > 0 ? "\n" : "").Append(value);
                    break;
            }
        }
    }
}
