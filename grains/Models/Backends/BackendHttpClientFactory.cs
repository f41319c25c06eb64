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
        };
    }

    public HttpClient Create(int maxRetries)
    {
        var retry = new RetryingHttpHandler(maxRetries, _options.RetryBaseDelay, _options.RetryMaxDelay, _time)
        {
            InnerHandler = new SharedHandler(_sockets),
        };
        // Timeouts come from the caller's cancellation token (the model's timeout), not from HttpClient.
        return new HttpClient(retry, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public void Dispose() => _sockets.Dispose();

    /// <summary>Lets a per-model handler chain be disposed without disposing the shared connection pool.</summary>
    private sealed class SharedHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override void Dispose(bool disposing)
        {
            // Deliberately not disposing the shared inner handler.
        }
    }
}
