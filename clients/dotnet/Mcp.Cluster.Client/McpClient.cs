using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Mcp.Cluster.Client;

/// <summary>
/// The MCP Cluster gateway over HTTP/JSON: questions and queries over data sources, models and predictions, keys.
/// Every call sends the key as <c>X-API-Key</c>, turns a refusal into a typed <see cref="McpApiException"/>, and
/// retries a 429 or 503 that says <c>Retry-After</c> (waiting what it says, at most <see cref="McpClientOptions.MaxRetries"/>
/// times, never longer than <see cref="McpClientOptions.MaxRetryDelay"/>); nothing else is retried. Thread-safe; make
/// one per gateway and key and reuse it.
/// </summary>
public sealed partial class McpClient : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly McpClientOptions _options;
    private readonly Uri? _baseAddress;

    /// <summary>A client with an HttpClient of its own (disposed with it); <see cref="McpClientOptions.BaseAddress"/> is required.</summary>
    public McpClient(McpClientOptions options)
        : this(new HttpClient(), options, ownsHttp: true)
    {
    }

    /// <summary>
    /// A client over a caller's HttpClient (from IHttpClientFactory, or a test server's), which it does not dispose.
    /// Without <see cref="McpClientOptions.BaseAddress"/> the HttpClient's BaseAddress is used.
    /// </summary>
    public McpClient(HttpClient httpClient, McpClientOptions? options = null)
        : this(httpClient, options ?? new McpClientOptions(), ownsHttp: false)
    {
    }

    private McpClient(HttpClient httpClient, McpClientOptions options, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.BaseAddress is null && httpClient.BaseAddress is null)
        {
            if (ownsHttp)
            {
                httpClient.Dispose();
            }
            throw new ArgumentException("Set McpClientOptions.BaseAddress (or the HttpClient's BaseAddress) to the gateway's address.", nameof(options));
        }
        _http = httpClient;
        _ownsHttp = ownsHttp;
        _options = options;
        // Relative paths resolve under the whole base path (a gateway behind /mcp-cluster/ keeps its prefix).
        _baseAddress = options.BaseAddress is { } b && !b.AbsoluteUri.EndsWith('/') ? new Uri(b.AbsoluteUri + "/") : options.BaseAddress;
    }

    /// <summary>Never shows the key.</summary>
    public override string ToString() => $"McpClient {{ BaseAddress = {_baseAddress ?? _http.BaseAddress} }}";

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private Task<T> GetAsync<T>(string path, JsonTypeInfo<T> answer, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, answer, cancellationToken);

    private Task<TAnswer> PostAsync<TBody, TAnswer>(string path, TBody body, JsonTypeInfo<TBody> request, JsonTypeInfo<TAnswer> answer, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, JsonSerializer.SerializeToUtf8Bytes(body, request), answer, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, byte[]? body, JsonTypeInfo<T> answer, CancellationToken cancellationToken)
    {
        using var response = await SendWithRetriesAsync(method, path, body, cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonSerializer.DeserializeAsync(stream, answer, cancellationToken).ConfigureAwait(false)
            ?? throw new JsonException($"The gateway answered {method} /{path} with an empty JSON value.");
    }

    private async Task SendWithoutAnswerAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        using var response = await SendWithRetriesAsync(method, path, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A successful response (the caller disposes it), or the refusal as an exception.</summary>
    private async Task<HttpResponseMessage> SendWithRetriesAsync(HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            // A request message can be sent once, so every attempt builds its own from the same bytes.
            using var request = new HttpRequestMessage(method, _baseAddress is null ? new Uri(path, UriKind.Relative) : new Uri(_baseAddress, path));
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = JsonMediaType;
            }
            if (_options.ApiKey is { } key)
            {
                request.Headers.TryAddWithoutValidation("X-API-Key", key);
            }
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }
            TimeSpan wait;
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var retryAfter = McpErrorMapper.RetryAfter(response.Headers.RetryAfter, _options.TimeProvider.GetUtcNow());
                if ((int)response.StatusCode is not (429 or 503) || retryAfter is not { } asked || asked > _options.MaxRetryDelay
                    || attempt >= _options.MaxRetries)
                {
                    throw McpErrorMapper.ToException(response.StatusCode, text, retryAfter, _options.ApiKey);
                }
                wait = asked;
            }
            await Task.Delay(wait, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Segment(string value, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, name);
        // "." and ".." survive escaping and would be resolved away by the URI, reaching another route.
        if (value is "." or "..")
        {
            throw new ArgumentException($"'{value}' is not a name.", name);
        }
        return Uri.EscapeDataString(value);
    }

    private static string Query(params (string Name, object? Value)[] parameters)
    {
        var present = parameters.Where(p => p.Value is not null)
            .Select(p => $"{p.Name}={Uri.EscapeDataString(Convert.ToString(p.Value, CultureInfo.InvariantCulture)!)}")
            .ToArray();
        return present.Length == 0 ? "" : "?" + string.Join('&', present);
    }
}
