using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// Hands every backend an <see cref="HttpClient"/> with its own retry settings over one shared, pooled
/// <see cref="SocketsHttpHandler"/>, so connections are reused across models and DNS changes are picked up.
/// </summary>
public sealed class BackendHttpClientFactory : IDisposable
{
    private readonly SocketsHttpHandler _sockets;
    private readonly ModelBackendOptions _options;
    private readonly TimeProvider _time;

    public BackendHttpClientFactory(IOptions<ModelBackendOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _sockets = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = _options.MaxConnectionsPerServer,
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            // Streams of many concurrent completions share a few HTTP/2 connections instead of one socket each.
            EnableMultipleHttp2Connections = true,
        };
    }

    /// <param name="http2PriorKnowledge">
    /// Speak HTTP/2 without negotiation (h2c), for plain-http servers that support it. Otherwise HTTP/2 is used
    /// where TLS negotiates it and HTTP/1.1 elsewhere.
    /// </param>
    public HttpClient Create(int maxRetries, bool http2PriorKnowledge = false)
    {
        var retry = new RetryingHttpHandler(maxRetries, _options.RetryBaseDelay, _options.RetryMaxDelay, _time)
        {
            InnerHandler = new HttpVersionHandler(http2PriorKnowledge) { InnerHandler = new SharedHandler(_sockets) },
        };
        // Timeouts come from the caller's cancellation token (the model's timeout), not from HttpClient.
        return new HttpClient(retry, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public void Dispose() => _sockets.Dispose();

    /// <summary>
    /// Sets the HTTP version on every request. Client libraries (the OpenAI one included) build their own request
    /// messages, which would otherwise all go out as HTTP/1.1.
    /// </summary>
    private sealed class HttpVersionHandler(bool priorKnowledge) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Version = System.Net.HttpVersion.Version20;
            request.VersionPolicy = priorKnowledge ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower;
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Lets a per-model handler chain be disposed without disposing the shared connection pool.</summary>
    private sealed class SharedHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override void Dispose(bool disposing)
        {
            // Deliberately not disposing the shared inner handler.
        }
    }
}
