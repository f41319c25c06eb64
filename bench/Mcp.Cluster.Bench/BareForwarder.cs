using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.Bench;

/// <summary>
/// <c>forwarder --port N --upstream http://127.0.0.1:M</c>: the floor of a .NET proxy, the proxy bench's fifth column.
/// Kestrel receives, one pooled <see cref="HttpClient"/> sends the same method, path, body and the two headers an
/// OpenAI call needs, and the answer is copied back. No routing, auth, parsing or logging.
/// </summary>
public static class BareForwarder
{
    public static async Task RunAsync(string[] args)
    {
        var port = int.Parse(BenchArguments.Value(args, "--port") ?? throw new ArgumentException("--port is required"));
        var upstream = new Uri(BenchArguments.Value(args, "--upstream") ?? throw new ArgumentException("--upstream is required"));
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = upstream,
        };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(async context =>
        {
            var request = context.Request;
            using var outbound = new HttpRequestMessage(new HttpMethod(request.Method), request.Path.Value + request.QueryString.Value);
            if (request.ContentLength is not null || request.Headers.TransferEncoding.Count > 0)
            {
                outbound.Content = new StreamContent(request.Body);
                outbound.Content.Headers.ContentLength = request.ContentLength;
                if (request.ContentType is { } contentType)
                {
                    outbound.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
                }
            }
            if (request.Headers.Authorization.Count > 0)
            {
                outbound.Headers.TryAddWithoutValidation("Authorization", request.Headers.Authorization.ToString());
            }
            using var response = await client.SendAsync(outbound, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            context.Response.ContentLength = response.Content.Headers.ContentLength;
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        });
        await app.RunAsync();
    }
}
