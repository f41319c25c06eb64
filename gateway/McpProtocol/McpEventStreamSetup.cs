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
        return builder;
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
        if (options.SseCompletedStreamRetention <= TimeSpan.Zero)
        {
            failures.Add("Mcp:SseCompletedStreamRetention must be greater than zero.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
