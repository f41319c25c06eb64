using System.Diagnostics;
using Mcp.Cluster.Gateway.AdminConsole;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Hosting;
using Mcp.Cluster.Usage;

namespace Mcp.Cluster.Gateway.Usage;

/// <summary>
/// Emits one usage event per HTTP request (REST and MCP) once the answer is final, whatever answered it: an endpoint,
/// the key middleware's 401/403/429, or the error handler. Sits first in the pipeline for that reason. WebSocket
/// connections are not one request: the completion socket emits an event per completion instead. Health probes and
/// metric scrapes and the Orleans Dashboard's polling are left out, as they would drown the traffic they watch, and so
/// are the admin console's files (its API calls are requests like any other, counted for the signed-in key).
/// </summary>
public sealed class UsageMiddleware(RequestDelegate next, UsagePublisher publisher, Telemetry.McpMetrics metrics, TimeProvider time, IConfiguration configuration)
{
    // The dashboard polls several endpoints every second while open; counting that would swamp the admin key's traffic.
    private readonly PathString _dashboardPath = DashboardSettings.From(configuration).Path;

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics") || path.StartsWithSegments(_dashboardPath)
            || path.StartsWithSegments(ConsoleEndpoints.Path))
        {
            await next(context);
            return;
        }
        var started = Stopwatch.GetTimestamp();
        var usage = new RequestUsage();
        context.Features.Set(usage);
        try
        {
            await next(context);
        }
        finally
        {
            var status = context.Response.StatusCode;
            if (status != StatusCodes.Status101SwitchingProtocols)
            {
                var endpoint = context.GetEndpoint() as RouteEndpoint;
                var route = endpoint?.RoutePattern.RawText is { } template
                    ? RouteLabel.Of(context.Request.Method, template)
                    : "(unmatched)";
                // A client that went away before any answer is recorded as 499 (client closed request): its error, not ours.
                if (context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
                {
                    status = 499;
                }
                var protocol = path.StartsWithSegments("/mcp") ? "mcp" : "rest";
                var elapsed = Stopwatch.GetElapsedTime(started);
                metrics.Request(protocol, route, status, elapsed);
                publisher.Publish(new UsageEvent(
                    time.GetUtcNow(), usage.KeyId ?? context.GetApiKey()?.KeyId, usage.ModelId, usage.Source, route, protocol, status,
                    elapsed.TotalMilliseconds, usage.PromptTokens, usage.CompletionTokens, usage.Rows, usage.CacheHit));
            }
        }
    }
}
