using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.Tests.WireServers;

/// <summary>
/// A real HTTP server on a loopback port standing in for a SaaS provider that cannot run here. Subclasses speak the
/// provider's documented wire format; every request is recorded so tests can check what the production client sent.
/// </summary>
public abstract class WireServer : IAsyncDisposable
{
    private WebApplication? _app;

    public Uri BaseUri { get; private set; } = null!;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>While set, every route answers 503 as a provider outage would.</summary>
    public volatile bool Down;

    /// <summary>Answers this many requests with 429 and <c>Retry-After: 1</c> before behaving normally.</summary>
    public int RateLimitNext;

    /// <summary>Answers this many requests with a 500 before behaving normally.</summary>
    public int FailNext;

    public TimeSpan Delay { get; set; }

    /// <summary>Speak only HTTP/2 without TLS (prior knowledge, h2c), so thousands of streams share a few connections.</summary>
    public bool Http2Only { get; init; }

    public int Count(string pathPrefix) => Requests.Count(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal));

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen =>
                listen.Protocols = Http2Only ? Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2 : Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2);
            kestrel.Limits.Http2.MaxStreamsPerConnection = 10_000;
        });
        builder.Logging.ClearProviders();
        ConfigureServices(builder.Services);
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Request.Body.Position = 0;
            Requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, body,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), DateTimeOffset.UtcNow,
                context.Request.Protocol));
            if (Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(Delay, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            if (Down)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await context.Response.WriteAsJsonAsync(new { error = "service unavailable (wire server is down)" });
                return;
            }
            if (TryTake(ref RateLimitNext))
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = "1";
                await context.Response.WriteAsJsonAsync(new { error = new { message = "Rate limit reached", type = "requests" } });
                return;
            }
            if (TryTake(ref FailNext))
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await context.Response.WriteAsJsonAsync(new { error = "internal failure (wire server)" });
                return;
            }
            await next(context);
        });
        MapRoutes(_app);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.TrimEnd('/') + "/");
    }

    private static bool TryTake(ref int counter)
    {
        while (true)
        {
            var current = Volatile.Read(ref counter);
            if (current <= 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref counter, current - 1, current) == current)
            {
                return true;
            }
        }
    }

    protected abstract void MapRoutes(IEndpointRouteBuilder routes);

    /// <summary>Services a server needs besides routing (e.g. an MCP server).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}

public sealed record RecordedRequest(string Method, string Path, string Body, IReadOnlyDictionary<string, string> Headers, DateTimeOffset At, string Protocol);
