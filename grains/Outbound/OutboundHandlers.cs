using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Outbound;

/// <summary>
/// The silo's two outbound connection pools, one per <see cref="OutboundTrust"/>. Every backend, tool, integration
/// and alert request goes through one of them, so connections are never shared between trust levels. The restricted
/// pool checks each connection's address (<see cref="OutboundConnector"/>), follows no redirects and uses no proxy
/// (a proxy would hide the real target from the check).
/// </summary>
public sealed class OutboundHandlers : IDisposable
{
    private readonly SocketsHttpHandler _restricted;
    private readonly SocketsHttpHandler _trusted;

    public OutboundHandlers(OutboundConnector connector, IOptions<Models.Backends.ModelBackendOptions> options)
    {
        _restricted = Create(options.Value);
        _restricted.ConnectCallback = connector.ConnectAsync;
        _restricted.AllowAutoRedirect = false;
        _restricted.UseProxy = false;
        _trusted = Create(options.Value);
    }

    /// <summary>The shared pool; wrap it in a <see cref="DelegatingHandler"/> that does not dispose it.</summary>
    public HttpMessageHandler Pool(OutboundTrust trust) => trust == OutboundTrust.Trusted ? _trusted : _restricted;

    /// <summary>A client over the shared pool of <paramref name="trust"/>; disposing it leaves the pool alone.</summary>
    public HttpClient CreateClient(OutboundTrust trust, TimeSpan? timeout = null) =>
        new(new SharedHandler(Pool(trust)), disposeHandler: true) { Timeout = timeout ?? Timeout.InfiniteTimeSpan };

    public void Dispose()
    {
        _restricted.Dispose();
        _trusted.Dispose();
    }

    private static SocketsHttpHandler Create(Models.Backends.ModelBackendOptions options) => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = options.MaxConnectionsPerServer,
        AutomaticDecompression = System.Net.DecompressionMethods.All,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        // Streams of many concurrent completions share a few HTTP/2 connections instead of one socket each.
        EnableMultipleHttp2Connections = true,
    };

    /// <summary>Lets a per-caller handler chain be disposed without disposing the shared connection pool.</summary>
    public sealed class SharedHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override void Dispose(bool disposing)
        {
            // Deliberately not disposing the shared inner handler.
        }
    }
}
