using System.Diagnostics;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Security;
using ModelContextProtocol;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// The Model Context Protocol endpoint (Streamable HTTP) at <c>/mcp</c>, on the official C# SDK. Clients of the
/// 2025-11-25 revision get a session (initialize handshake, <c>Mcp-Session-Id</c>); clients of 2026-07-28 are served
/// statelessly on the same endpoint. Every HTTP request to it is authenticated and metered with the same API keys as
/// the REST API; tools, resources and prompts are filtered by what the key may do.
/// </summary>
public static class McpEndpoints
{
    public const string Path = "/mcp";

    public static IServiceCollection AddMcpGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<McpOptions>(configuration.GetSection(McpOptions.Section));
        var options = configuration.GetSection(McpOptions.Section).Get<McpOptions>() ?? new McpOptions();
        services.AddHttpContextAccessor();
        services.AddMemoryCache();
        services.AddSingleton<McpCallers>();
        services.AddSingleton<ModelTools>();
        services.AddSingleton<DataTools>();
        services.AddSingleton<DataAskTool>();
        services.AddSingleton<DataResources>();
        services.AddSingleton<PromptCatalog>();
        services.AddMcpPaging(configuration);
        services.AddSingleton<IntegrationProxy>();
        services.AddSingleton<McpSessions>();
        services.AddSingleton<McpClientRequests>();
        services.AddHostedService<McpClientAnswerListener>();
        services.AddSingleton<ISessionMigrationHandler, McpSessionMigration>();
        services.AddMcpNotifications(configuration);

        // Logging (logging/setLevel) is deprecated from 2026-07-28 on; 2025-11-25 clients still set levels.
#pragma warning disable MCP9005
        services.AddMcpServer(server =>
            {
                server.ServerInfo = new Implementation { Name = "mcp-cluster", Title = "MCP Cluster", Version = typeof(McpEndpoints).Assembly.GetName().Version?.ToString(3) ?? "1.0.0" };
                server.ServerInstructions = "Models are tools named model.{name}; data.sources lists the data this key may read, data.query reads it and data.ask answers a question about it in plain language.";
                server.Capabilities = new ServerCapabilities
                {
                    Tools = new ToolsCapability { ListChanged = true },
                    Resources = new ResourcesCapability { Subscribe = true, ListChanged = true },
                    Prompts = new PromptsCapability { ListChanged = true },
                    Completions = new CompletionsCapability(),
                };
            })
            .WithHttpTransport(transport =>
            {
                transport.SessionMode = HttpServerSessionMode.StatefulForInitializeClients;
                // Sessions exist only for 2025-11-25 clients, which today's clients still are.
#pragma warning disable MCP9006
                transport.IdleTimeout = options.SessionIdleTimeout;
#pragma warning restore MCP9006
            })
            // SSE event ids, Last-Event-ID replay and a retry hint; the events live in grains, so any gateway resumes a stream.
            .WithOrleansEventStreamStore()
            .WithListToolsHandler(async (request, _) =>
            {
                var key = Caller(request.Services);
                await TrackAsync(request);
                // Model tools are loaded for the requested page only (their schemas live in their model grains).
                var models = await request.Services!.GetRequiredService<ModelTools>().ListingsAsync(key);
                var data = key.Permissions.Satisfies(Permissions.Read) ? [.. request.Services!.GetRequiredService<DataTools>().List(), DataAskTool.Tool()] : Array.Empty<Tool>();
                var upstream = await request.Services!.GetRequiredService<IntegrationProxy>().ListToolsAsync(key);
                var page = await request.Services!.GetRequiredService<McpPaging>().PageAsync(RequestMethods.ToolsList,
                    [.. data.Concat(upstream).Select(t => McpListing<Tool>.Ready(t.Name, t)), .. models], request.Params?.Cursor);
                return new ListToolsResult { Tools = [.. page.Items], NextCursor = page.NextCursor };
            })
            .WithCallToolHandler(async (request, cancellationToken) =>
            {
                var key = Caller(request.Services);
                await TrackAsync(request);
                var name = request.Params?.Name ?? throw new McpProtocolException("tools/call needs a tool name.", McpErrorCode.InvalidParams);
                if (ModelTools.Owns(name))
                {
                    // A model can take a while (a cold hosted model, a remote backend): say when it starts and how it went.
                    var log = new McpToolLog(request.Server, name);
                    await log.InfoAsync($"Calling {name}", cancellationToken);
                    var started = Stopwatch.GetTimestamp();
                    var result = await request.Services!.GetRequiredService<ModelTools>().CallAsync(key, name, request.Params.Arguments, cancellationToken);
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    await log.InfoAsync(result.IsError == true ? $"{name} failed after {elapsed:0} ms" : $"{name} answered in {elapsed:0} ms", cancellationToken);
                    return result;
                }
                if (DataAskTool.Owns(name))
                {
                    return await request.Services!.GetRequiredService<DataAskTool>().CallAsync(key, request.Params.Arguments, cancellationToken);
                }
                if (DataTools.Owns(name))
                {
                    return await request.Services!.GetRequiredService<DataTools>().CallAsync(key, name, request.Params.Arguments);
                }
                var proxy = request.Services!.GetRequiredService<IntegrationProxy>();
                if (await proxy.ResolveToolAsync(name) is { } upstream)
                {
                    return await proxy.CallToolAsync(key, upstream.Grain, upstream.Name, request.Params.Arguments, request.Server,
                        request.Params.ProgressToken, cancellationToken);
                }
                throw new McpProtocolException($"Unknown tool '{name}'.", McpErrorCode.InvalidParams);
            })
            .WithListResourcesHandler(async (request, _) =>
            {
                await TrackAsync(request);
                var key = Caller(request.Services);
                var data = await request.Services!.GetRequiredService<DataResources>().ListAsync(key);
                var upstream = await request.Services!.GetRequiredService<IntegrationProxy>().ListResourcesAsync(key);
                var page = request.Services!.GetRequiredService<McpPaging>().Page(RequestMethods.ResourcesList, [.. data, .. upstream], r => r.Uri, request.Params?.Cursor);
                return new ListResourcesResult { Resources = [.. page.Items], NextCursor = page.NextCursor };
            })
            .WithListResourceTemplatesHandler(async (request, _) =>
            {
                var upstream = await request.Services!.GetRequiredService<IntegrationProxy>().ListResourceTemplatesAsync(Caller(request.Services));
                var page = request.Services!.GetRequiredService<McpPaging>().Page(RequestMethods.ResourcesTemplatesList, [.. DataResources.Templates(), .. upstream],
                    t => t.UriTemplate, request.Params?.Cursor);
                return new ListResourceTemplatesResult { ResourceTemplates = [.. page.Items], NextCursor = page.NextCursor };
            })
            .WithReadResourceHandler(async (request, cancellationToken) =>
            {
                await TrackAsync(request);
                var uri = request.Params?.Uri ?? throw new McpProtocolException("resources/read needs a uri.", McpErrorCode.InvalidParams);
                var key = Caller(request.Services);
                if (DataResources.Owns(uri))
                {
                    return await request.Services!.GetRequiredService<DataResources>().ReadAsync(key, uri);
                }
                RequireRead(key);
                return await request.Services!.GetRequiredService<IntegrationProxy>().ReadResourceAsync(uri, cancellationToken)
                    ?? throw new McpProtocolException($"Resource '{uri}' not found.", McpErrorCode.InvalidParams);
            })
            .WithListPromptsHandler(async (request, _) =>
            {
                RequireRead(Caller(request.Services));
                await TrackAsync(request);
                var own = await request.Services!.GetRequiredService<PromptCatalog>().ListAsync();
                var upstream = await request.Services!.GetRequiredService<IntegrationProxy>().ListPromptsAsync();
                var page = request.Services!.GetRequiredService<McpPaging>().Page(RequestMethods.PromptsList, [DataAskTool.Prompt(), .. own, .. upstream], p => p.Name, request.Params?.Cursor);
                return new ListPromptsResult { Prompts = [.. page.Items], NextCursor = page.NextCursor };
            })
            .WithGetPromptHandler(async (request, cancellationToken) =>
            {
                RequireRead(Caller(request.Services));
                await TrackAsync(request);
                var name = request.Params?.Name ?? throw new McpProtocolException("prompts/get needs a prompt name.", McpErrorCode.InvalidParams);
                if (DataAskTool.Owns(name))
                {
                    return DataAskTool.Render(request.Params.Arguments);
                }
                var prompts = request.Services!.GetRequiredService<PromptCatalog>();
                if (!await prompts.ExistsAsync(name) && await request.Services!.GetRequiredService<IntegrationProxy>().ResolvePromptAsync(name) is { } upstream)
                {
                    return await IntegrationProxy.GetPromptAsync(upstream.Grain, upstream.Name, request.Params.Arguments, cancellationToken);
                }
                return await prompts.GetAsync(name, request.Params.Arguments);
            })
            .WithCompleteHandler(async (request, cancellationToken) =>
            {
                var key = Caller(request.Services);
                RequireRead(key);
                var parameters = request.Params ?? throw new McpProtocolException("completion/complete needs parameters.", McpErrorCode.InvalidParams);
                var argument = parameters.Argument ?? throw new McpProtocolException("completion/complete needs an argument.", McpErrorCode.InvalidParams);
                var prompts = request.Services!.GetRequiredService<PromptCatalog>();
                var completion = parameters.Ref switch
                {
                    PromptReference { Name: DataAskTool.Name } =>
                        await request.Services!.GetRequiredService<DataAskTool>().CompleteAsync(key, argument.Name, argument.Value ?? ""),
                    PromptReference prompt when await prompts.ExistsAsync(prompt.Name) => await prompts.CompleteAsync(prompt.Name, argument.Name, argument.Value ?? ""),
                    ResourceTemplateReference { Uri: var uri } when uri == DataResources.Scheme + "{source}/{table}" =>
                        await request.Services!.GetRequiredService<DataResources>().CompleteAsync(key, argument.Name, argument.Value ?? "", parameters.Context?.Arguments),
                    _ => (await request.Services!.GetRequiredService<IntegrationProxy>().CompleteAsync(parameters, cancellationToken))?.Completion
                        ?? throw new McpProtocolException("completion/complete refers to no known prompt or resource template.", McpErrorCode.InvalidParams),
                };
                return new CompleteResult { Completion = completion };
            })
            .WithSubscribeToResourcesHandler(async (request, _) =>
            {
                var uri = request.Params?.Uri ?? throw new McpProtocolException("resources/subscribe needs a uri.", McpErrorCode.InvalidParams);
                var key = Caller(request.Services);
                if (DataResources.Owns(uri))
                {
                    // Subscribing proves the resource can be read by this key (and audits that read).
                    await request.Services!.GetRequiredService<DataResources>().ReadAsync(key, uri);
                }
                else if (!key.Permissions.Satisfies(Permissions.Read) || await request.Services!.GetRequiredService<IntegrationProxy>().ClaimAsync(uri) is null)
                {
                    throw new McpProtocolException($"Resource '{uri}' not found.", McpErrorCode.InvalidParams);
                }
                if (!await request.Services!.GetRequiredService<McpSessions>().SubscribeAsync(request.Server, uri))
                {
                    throw new McpProtocolException("This session holds the most resource subscriptions allowed (Mcp:MaxSubscriptionsPerSession).", McpErrorCode.InvalidParams);
                }
                return new EmptyResult();
            })
            .WithSetLoggingLevelHandler((_, _) => ValueTask.FromResult(new EmptyResult()))
            .WithUnsubscribeFromResourcesHandler(async (request, _) =>
            {
                if (request.Params?.Uri is { } uri)
                {
                    await request.Services!.GetRequiredService<McpSessions>().UnsubscribeAsync(request.Server, uri);
                }
                return new EmptyResult();
            });
#pragma warning restore MCP9005
        return services;
    }

    public static IEndpointRouteBuilder MapMcpGateway(this IEndpointRouteBuilder routes)
    {
        // Permission checks are per tool and resource; the endpoint only needs a valid key (and meters every request).
        routes.MapMcp(Path).RequireApiKey(Permissions.None).WithTags("MCP");
        return routes;
    }

    /// <summary>
    /// Registers the session's own server, not <c>request.Server</c>: that one is bound to this request's response
    /// stream, and catalog notifications sent through it would ride on whatever request of the session came last
    /// while it is still open (a tool call's stream) instead of the session's GET stream.
    /// </summary>
    private static ValueTask TrackAsync<T>(ModelContextProtocol.Server.RequestContext<T> request)
    {
        var session = request.Services!.GetRequiredService<IHttpContextAccessor>().HttpContext?.Features.Get<McpServer>();
        return request.Services!.GetRequiredService<McpSessions>().TouchAsync(session ?? request.Server);
    }

    private static void RequireRead(ApiKeyPrincipal key)
    {
        if (!key.Permissions.Satisfies(Permissions.Read))
        {
            throw new McpProtocolException($"Key {key.KeyId} lacks the read permission.", McpErrorCode.InvalidRequest);
        }
    }

    private static ApiKeyPrincipal Caller(IServiceProvider? services) =>
        (services ?? throw new McpException("No request services.")).GetRequiredService<McpCallers>().Current;
}
