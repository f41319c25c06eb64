using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Http;

/// <summary>
/// Enforces <see cref="GatewayOptions.MaxRequestBodyBytes"/> on every request: at once from Content-Length, and
/// while reading for chunked bodies (through the server's own limit where it has one, else a counting stream).
/// An endpoint with <see cref="IRequestSizeLimitMetadata"/> (the model file upload) has its own limit instead.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<GatewayOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? options.Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
        }
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = limit;
        }
        else if (context.Request.ContentLength is null)
        {
            context.Request.Body = new LengthLimitedStream(context.Request.Body, limit);
        }
        return next(context);
    }
}
