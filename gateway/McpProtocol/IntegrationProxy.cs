using System.Text.Json;
using System.Text.Json.Nodes;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Catalogs;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Integrations;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

// Logging and sampling are deprecated from protocol 2026-07-28 on; 2025-11-25 upstreams and clients use them.
#pragma warning disable MCP9005

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Upstream MCP servers re-exposed: tools and prompts as <c>{namespace}.{name}</c> and resources as
/// <c>mcp-integration://{namespace}/{escaped upstream uri}</c>, or under their own names and URIs for an integration
/// registered unprefixed (its resource templates too). Tool calls stream the upstream's progress back to the client
/// that asked for it, and a cancelled call cancels the upstream one. What the upstream sends the client during a call
/// reaches that client on the call's own stream: log lines (at the level the client asked for) and requests
/// (sampling, elicitation), whose answers go back to the upstream.
/// </summary>
public sealed class IntegrationProxy(IGrainFactory grains, McpClientRequests clientRequests, ILogger<IntegrationProxy> logger)
{
    public const string ResourceScheme = "mcp-integration://";

    /// <summary>Namespaces our own tools use; integrations may not take them.</summary>
    public static readonly IReadOnlySet<string> ReservedNamespaces = new HashSet<string>(StringComparer.Ordinal) { "model", "data", "mcp" };

    public async Task<IReadOnlyList<Tool>> ListToolsAsync(ApiKeyPrincipal key)
    {
        if (!key.Permissions.Satisfies(Permissions.Execute))
        {
            return [];
        }
        return (await CatalogsAsync()).SelectMany(c => c.Catalog.ToolsJson.Select(json =>
        {
            var tool = Read<Tool>(json);
            tool.Name = Exposed(c, tool.Name);
            return tool;
        }))
        // An unprefixed upstream cannot shadow our own tools: model.* and data.* always mean ours.
        .Where(t => !ModelTools.Owns(t.Name) && !DataTools.Owns(t.Name))
        .ToArray();
    }

    public async Task<IReadOnlyList<Resource>> ListResourcesAsync(ApiKeyPrincipal key)
    {
        if (!key.Permissions.Satisfies(Permissions.Read))
        {
            return [];
        }
        return (await CatalogsAsync()).SelectMany(c => c.Catalog.ResourcesJson.Select(json =>
        {
            var resource = Read<Resource>(json);
            resource.Uri = c.Catalog.Unprefixed ? resource.Uri : ResourceUri(c.Name, resource.Uri);
            return resource;
        })).ToArray();
    }

    /// <summary>Templates of unprefixed integrations (a prefixed URI would break the template's own syntax).</summary>
    public async Task<IReadOnlyList<ResourceTemplate>> ListResourceTemplatesAsync(ApiKeyPrincipal key) =>
        key.Permissions.Satisfies(Permissions.Read)
            ? (await CatalogsAsync()).Where(c => c.Catalog.Unprefixed).SelectMany(c => (c.Catalog.ResourceTemplatesJson ?? []).Select(Read<ResourceTemplate>)).ToArray()
            : [];

    public async Task<IReadOnlyList<Prompt>> ListPromptsAsync() =>
        (await CatalogsAsync()).SelectMany(c => c.Catalog.PromptsJson.Select(json =>
        {
            var prompt = Read<Prompt>(json);
            prompt.Name = Exposed(c, prompt.Name);
            return prompt;
        })).ToArray();

    public Task<(IIntegrationGrain Grain, string Name)?> ResolveToolAsync(string exposed) => ResolveAsync(exposed, c => c.ToolsJson.Select(j => Read<Tool>(j).Name));

    public Task<(IIntegrationGrain Grain, string Name)?> ResolvePromptAsync(string exposed) => ResolveAsync(exposed, c => c.PromptsJson.Select(j => Read<Prompt>(j).Name));

    public async Task<CallToolResult> CallToolAsync(ApiKeyPrincipal key, IIntegrationGrain grain, string tool, IDictionary<string, JsonElement>? arguments,
        McpServer server, ProgressToken? progressToken, CancellationToken cancellationToken)
    {
        if (!key.Permissions.Satisfies(Permissions.Execute))
        {
            throw new McpProtocolException($"Key {key.KeyId} lacks the execute permission tools of integrations need.", McpErrorCode.InvalidParams);
        }
        var argumentsJson = JsonSerializer.Serialize(arguments ?? new Dictionary<string, JsonElement>());
        var asking = new List<Task>();
        try
        {
            await foreach (var step in grain.CallToolAsync(tool, argumentsJson, cancellationToken).WithCancellation(cancellationToken))
            {
                if (step.ResultJson is { } result)
                {
                    return Read<CallToolResult>(result);
                }
                if (step.ClientMessage is { RequestId: { } requestId } request)
                {
                    // The upstream waits for the answer; the call's stream goes on meanwhile (progress, more requests).
                    asking.Add(AskClientAsync(grain, server, request.Method, requestId, request.ParamsJson, cancellationToken));
                }
                else if (step.ClientMessage is { } notification)
                {
                    await RelayNotificationAsync(server, notification, cancellationToken);
                }
                else if (progressToken is { } token)
                {
                    await server.SendNotificationAsync(NotificationMethods.ProgressNotification, new ProgressNotificationParams
                    {
                        ProgressToken = token,
                        Progress = new ProgressNotificationValue { Progress = step.Progress, Total = step.Total, Message = step.Message },
                    }, cancellationToken: cancellationToken);
                }
            }
        }
        finally
        {
            await Task.WhenAll(asking);
        }
        throw new McpException($"The upstream call of '{tool}' ended without a result.");
    }

    /// <summary>Puts an upstream's request to the client and returns the client's answer (or why there is none) to the upstream.</summary>
    private async Task AskClientAsync(IIntegrationGrain grain, McpServer server, string method, string requestId, string parametersJson, CancellationToken cancellationToken)
    {
        string? result = null;
        JsonRpcErrorDetail? error = null;
        try
        {
            var parameters = JsonNode.Parse(parametersJson);
            if (ClientCannot(server, method, parameters) is { } reason)
            {
                error = new JsonRpcErrorDetail { Code = (int)McpErrorCode.MissingRequiredClientCapability, Message = reason };
            }
            else
            {
                switch (await clientRequests.SendAsync(server, method, parameters, cancellationToken))
                {
                    case JsonRpcResponse response:
                        result = response.Result?.ToJsonString() ?? "{}";
                        break;
                    case JsonRpcError refused:
                        error = refused.Error;
                        break;
                }
            }
        }
        catch (TimeoutException)
        {
            error = new JsonRpcErrorDetail { Code = (int)McpErrorCode.InternalError, Message = $"The client did not answer {method} in time." };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The call was cancelled, and with it the upstream's request.
            return;
        }
        catch (McpException e)
        {
            error = new JsonRpcErrorDetail { Code = (int)((e as McpProtocolException)?.ErrorCode ?? McpErrorCode.InternalError), Message = e.Message };
        }
        catch (Exception e)
        {
            // Whatever went wrong, the upstream must not wait for an answer that will not come.
            logger.LogWarning(e, "Relaying {Method} to the client of a call failed", method);
            error = new JsonRpcErrorDetail { Code = (int)McpErrorCode.InternalError, Message = $"The gateway could not put {method} to the client." };
        }
        try
        {
            await grain.AnswerClientRequestAsync(requestId, result, error is null ? null : JsonSerializer.Serialize(error, McpJsonUtilities.DefaultOptions));
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Returning the client's answer to {Method} to the upstream failed", method);
        }
    }

    /// <summary>Why the calling client cannot take an upstream's request (it did not declare the capability); null when it can.</summary>
    private static string? ClientCannot(McpServer server, string method, JsonNode? parameters)
    {
        var capabilities = server.ClientCapabilities;
        return method switch
        {
            RequestMethods.SamplingCreateMessage when capabilities?.Sampling is null => "The client of this call does not support sampling.",
            RequestMethods.ElicitationCreate when capabilities?.Elicitation is not { } elicitation => "The client of this call does not support elicitation.",
            RequestMethods.ElicitationCreate when parameters?["mode"]?.GetValue<string>() == "url" && capabilities!.Elicitation!.Url is null =>
                "The client of this call does not support URL elicitation.",
            RequestMethods.ElicitationCreate when parameters?["mode"]?.GetValue<string>() is null or "form"
                && capabilities!.Elicitation!.Form is null && capabilities.Elicitation.Url is not null => "The client of this call does not support form elicitation.",
            RequestMethods.SamplingCreateMessage or RequestMethods.ElicitationCreate => null,
            _ => $"{method} is not relayed to clients.",
        };
    }

    /// <summary>A log line from the upstream, passed on when the client asked for that level (or set none).</summary>
    private static async Task RelayNotificationAsync(McpServer server, IntegrationClientMessage notification, CancellationToken cancellationToken)
    {
        if (notification.Method != NotificationMethods.LoggingMessageNotification || JsonNode.Parse(notification.ParamsJson) is not JsonObject parameters)
        {
            return;
        }
        var level = parameters.Deserialize<LoggingMessageNotificationParams>(McpJsonUtilities.DefaultOptions)?.Level;
        if (server.LoggingLevel is { } wanted && level < wanted)
        {
            return;
        }
        await server.SendNotificationAsync(notification.Method, parameters, cancellationToken: cancellationToken);
    }

    /// <summary>Reads a resource of an integration; null when no integration serves the URI.</summary>
    public async Task<ReadResourceResult?> ReadResourceAsync(string uri, CancellationToken cancellationToken)
    {
        if (await ClaimAsync(uri) is not { } claim)
        {
            return null;
        }
        var json = await grains.GetGrain<IIntegrationGrain>(claim.Namespace).ReadResourceAsync(claim.UpstreamUri, cancellationToken);
        var result = Read<ReadResourceResult>(json);
        if (!claim.Unprefixed)
        {
            foreach (var contents in result.Contents)
            {
                contents.Uri = ResourceUri(claim.Namespace, contents.Uri);
            }
        }
        return result;
    }

    /// <summary>The integration serving a resource URI: by prefix, or an unprefixed one that lists it or has templates.</summary>
    public async Task<(string Namespace, string UpstreamUri, bool Unprefixed)?> ClaimAsync(string uri)
    {
        var catalogs = await CatalogsAsync();
        if (uri.StartsWith(ResourceScheme, StringComparison.Ordinal))
        {
            var path = uri[ResourceScheme.Length..];
            var slash = path.IndexOf('/');
            return slash > 0 && catalogs.Any(c => c.Name == path[..slash] && !c.Catalog.Unprefixed)
                ? (path[..slash], Uri.UnescapeDataString(path[(slash + 1)..]), false)
                : null;
        }
        var unprefixed = catalogs.Where(c => c.Catalog.Unprefixed).ToArray();
        var owner = unprefixed.FirstOrDefault(c => c.Catalog.ResourcesJson.Any(j => Read<Resource>(j).Uri == uri)).Name
            ?? unprefixed.FirstOrDefault(c => c.Catalog.ResourceTemplatesJson is { Count: > 0 }).Name;
        return owner is null ? null : (owner, uri, true);
    }

    public async Task<CompleteResult?> CompleteAsync(CompleteRequestParams request, CancellationToken cancellationToken)
    {
        switch (request.Ref)
        {
            case PromptReference prompt when await ResolvePromptAsync(prompt.Name) is { } upstream:
                var forwarded = new CompleteRequestParams
                {
                    Ref = new PromptReference { Name = upstream.Name }, Argument = request.Argument, Context = request.Context,
                };
                return Read<CompleteResult>(await upstream.Grain.CompleteAsync(JsonSerializer.Serialize(forwarded, McpJsonUtilities.DefaultOptions), cancellationToken));
            case ResourceTemplateReference template:
                var catalogs = await CatalogsAsync();
                var owner = catalogs.FirstOrDefault(c => c.Catalog.Unprefixed
                    && (c.Catalog.ResourceTemplatesJson ?? []).Any(j => Read<ResourceTemplate>(j).UriTemplate == template.Uri)).Name;
                return owner is null
                    ? null
                    : Read<CompleteResult>(await grains.GetGrain<IIntegrationGrain>(owner).CompleteAsync(JsonSerializer.Serialize(request, McpJsonUtilities.DefaultOptions), cancellationToken));
            default:
                return null;
        }
    }

    public static async Task<GetPromptResult> GetPromptAsync(IIntegrationGrain grain, string prompt, IDictionary<string, JsonElement>? arguments, CancellationToken cancellationToken)
    {
        var values = (arguments ?? new Dictionary<string, JsonElement>()).ToDictionary(
            a => a.Key, a => a.Value.ValueKind == JsonValueKind.String ? a.Value.GetString()! : a.Value.GetRawText());
        return Read<GetPromptResult>(await grain.GetPromptAsync(prompt, values, cancellationToken));
    }

    private async Task<(IIntegrationGrain Grain, string Name)?> ResolveAsync(string exposed, Func<IntegrationCatalog, IEnumerable<string>> names)
    {
        foreach (var (ns, catalog) in await CatalogsAsync())
        {
            var upstream = catalog.Unprefixed ? exposed : exposed.StartsWith(ns + ".", StringComparison.Ordinal) ? exposed[(ns.Length + 1)..] : null;
            if (upstream is not null && names(catalog).Contains(upstream, StringComparer.Ordinal))
            {
                return (grains.GetGrain<IIntegrationGrain>(ns), upstream);
            }
        }
        return null;
    }

    private static string Exposed((string Name, IntegrationCatalog Catalog) c, string name) => c.Catalog.Unprefixed ? name : $"{c.Name}.{name}";

    private static string ResourceUri(string ns, string upstream) => $"{ResourceScheme}{ns}/{Uri.EscapeDataString(upstream)}";

    private static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, McpJsonUtilities.DefaultOptions)!;

    private async Task<IReadOnlyList<(string Name, IntegrationCatalog Catalog)>> CatalogsAsync()
    {
        var names = await grains.GetGrain<INameCatalogGrain>(NameCatalogs.Integrations).GetNamesAsync();
        if (names.Count == 0)
        {
            return [];
        }
        var catalogs = await Task.WhenAll(names.Select(async n => (Name: n, Catalog: await grains.GetGrain<IIntegrationGrain>(n).GetCatalogAsync())));
        return catalogs.Where(c => c.Catalog is not null).Select(c => (c.Name, c.Catalog!)).ToArray();
    }
}
