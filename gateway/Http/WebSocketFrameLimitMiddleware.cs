using Mcp.Cluster.Gateway.Completions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Http;

/// <summary>
/// Puts <see cref="WebSocketFrameLimitStream"/> under every WebSocket this gateway accepts, by handing ASP.NET Core's
/// WebSocket support an upgrade feature whose stream checks frame headers. A frame may not be larger than a whole
/// message may be (<see cref="CompletionOptions.MaxSocketMessageBytes"/>).
/// </summary>
public sealed class WebSocketFrameLimitMiddleware(RequestDelegate next, IOptions<CompletionOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            context.Features.Set<IHttpUpgradeFeature>(new LimitedUpgrade(upgrade, options.Value.MaxSocketMessageBytes));
        }
        return next(context);
    }

    private sealed class LimitedUpgrade(IHttpUpgradeFeature inner, long maxFrameBytes) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync() => new WebSocketFrameLimitStream(await inner.UpgradeAsync(), maxFrameBytes);
    }
}
