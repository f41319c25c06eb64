using Mcp.Cluster.Outbound;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// Hands every backend an <see cref="HttpClient"/> with its own retry settings over one of the silo's shared, pooled
/// outbound connection pools (<see cref="OutboundHandlers"/>), so connections are reused across models of the same
/// trust level and DNS changes are picked up.
/// </summary>
public sealed class BackendHttpClientFactory(OutboundHandlers pools, IOptions<ModelBackendOptions> options, TimeProvider time)
{
    private readonly ModelBackendOptions _options = options.Value;

    /// <param name="http2PriorKnowledge">
    /// Speak HTTP/2 without negotiation (h2c), for plain-http servers that support it. Otherwise HTTP/2 is used
    /// where TLS negotiates it and HTTP/1.1 elsewhere.
    /// </param>
    /// <param name="trust">
    /// Who set the target: <see cref="OutboundTrust.Restricted"/> for anything a non-admin key configured. Data source
    /// connectors, registered by admins only, use the default.
    /// </param>
    public HttpClient Create(int maxRetries, bool http2PriorKnowledge = false, OutboundTrust trust = OutboundTrust.Trusted)
    {
        var retry = new RetryingHttpHandler(maxRetries, _options.RetryBaseDelay, _options.RetryMaxDelay, time)
        {
            InnerHandler = new HttpVersionHandler(http2PriorKnowledge) { InnerHandler = new OutboundHandlers.SharedHandler(pools.Pool(trust)) },
        };
        // Timeouts come from the caller's cancellation token (the model's timeout), not from HttpClient.
        return new HttpClient(retry, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

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
}
