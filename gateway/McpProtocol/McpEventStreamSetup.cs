using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;

namespace Mcp.Cluster.Gateway.McpProtocol;

#pragma warning disable MCP9006 // The SDK's resumability hook is marked legacy with the stateful transport; 2025-11-25 sessions use it.

/// <summary>Makes the MCP endpoint's SSE streams resumable through <see cref="OrleansEventStreamStore"/> (unless <c>Mcp:SseResumable</c> is false).</summary>
public static class McpEventStreamSetup
{
    public static IMcpServerBuilder WithOrleansEventStreamStore(this IMcpServerBuilder builder)
    {
        builder.Services.TryAddSingleton<OrleansEventStreamStore>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpOptions>, McpEventStreamOptionsValidator>());
        builder.Services.AddOptions<McpOptions>().ValidateOnStart();
        builder.Services.AddOptions<HttpServerTransportOptions>().Configure<OrleansEventStreamStore, IOptions<McpOptions>>((transport, store, options) =>
        {
            if (options.Value.SseResumable)
            {
                transport.EventStreamStore = store;
            }
        });
        builder.WithRequestFilters(filters => filters.AddCallToolFilter(next => async (request, cancellationToken) =>
        {
            var options = request.Services!.GetRequiredService<IOptions<McpOptions>>().Value;
            if (options.SsePollToolCallsAfter is not { } after || !options.SseResumable || request.Server.SessionId is null)
            {
                return await next(request, cancellationToken);
            }
            var call = next(request, cancellationToken).AsTask();
            var time = request.Services!.GetRequiredService<TimeProvider>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (await Task.WhenAny(call, Task.Delay(after, time, stop.Token)) != call)
            {
                await SwitchToPollingAsync(request, options.SseRetryInterval, cancellationToken);
            }
            await stop.CancelAsync();
            return await call;
        }));
        return builder;
    }

    /// <summary>Ends the call's POST response; the rest of the call is read by polling. Best effort: the call goes on either way.</summary>
    private static async Task SwitchToPollingAsync(ModelContextProtocol.Server.RequestContext<ModelContextProtocol.Protocol.CallToolRequestParams> request,
        TimeSpan retryInterval, CancellationToken cancellationToken)
    {
        try
        {
            await request.EnablePollingAsync(retryInterval, cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // Not a resumable stream (a stateless request, or the response is already complete): nothing to switch.
            request.Services!.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(McpEventStreamSetup))
                .LogDebug(e, "tools/call {Tool} could not switch to polling", request.Params?.Name);
        }
    }
}

/// <summary>The resumable-stream settings must describe a stream that can be kept and resumed.</summary>
public sealed class McpEventStreamOptionsValidator : IValidateOptions<McpOptions>
{
    public ValidateOptionsResult Validate(string? name, McpOptions options)
    {
        var failures = new List<string>();
        if (options.SseRetryInterval <= TimeSpan.Zero || options.SseRetryInterval > TimeSpan.FromHours(1))
        {
            failures.Add("Mcp:SseRetryInterval must be greater than zero and at most an hour.");
        }
        if (options.SseMaxEventsPerStream < 1)
        {
            failures.Add("Mcp:SseMaxEventsPerStream must be at least 1.");
        }
        if (options.SseMaxBytesPerStream < 1)
        {
            failures.Add("Mcp:SseMaxBytesPerStream must be at least 1.");
        }
        if (options.SsePollToolCallsAfter is { } after && after <= TimeSpan.Zero)
        {
            failures.Add("Mcp:SsePollToolCallsAfter must be greater than zero when set.");
        }
        if (options.SseCompletedStreamRetention <= TimeSpan.Zero)
        {
            failures.Add("Mcp:SseCompletedStreamRetention must be greater than zero.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
