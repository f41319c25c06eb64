using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.Tests.Clients;

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, an ephemeral port) whose every answer the test writes, for the .NET
/// client's wire behaviour: headers it sends, bodies it resends, waits between attempts.
/// </summary>
public sealed class DotnetClientTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<HttpContext, int, Task> _respond;
    private int _count;

    private DotnetClientTestServer(WebApplication app, Func<HttpContext, int, Task> respond)
    {
        _app = app;
        _respond = respond;
    }

    /// <summary>The server's address, <c>http://127.0.0.1:port/</c>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Every request in arrival order, with the (possibly fake) time it arrived.</summary>
    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    /// <summary>What the server was asked for; the clock stamps arrivals (tests pass their fake one).</summary>
    public static async Task<DotnetClientTestServer> StartAsync(Func<HttpContext, int, Task> respond, TimeProvider? clock = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new DotnetClientTestServer(app, respond);
        var time = clock ?? TimeProvider.System;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var attempt = Interlocked.Increment(ref server._count);
            server.Requests.Enqueue(new SeenRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body, time.GetUtcNow()));
            await server._respond(context, attempt);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Address = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>Writes a JSON answer with the given status and headers.</summary>
    public static async Task WriteAsync(HttpContext context, int status, string json, params (string Name, string Value)[] headers)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }
        await context.Response.WriteAsync(json);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record SeenRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ArrivedAt);
