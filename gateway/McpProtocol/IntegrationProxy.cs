using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Catalogs;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Integrations;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Upstream MCP servers re-exposed under their namespace: tools and prompts as <c>{namespace}.{name}</c>, resources as
/// <c>mcp-integration://{namespace}/{escaped upstream uri}</c>. Tool calls stream the upstream's progress back to the
/// client that asked for it, and a cancelled call cancels the upstream one.
/// </summary>
public sealed class IntegrationProxy(IGrainFactory grains)
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
            var tool = JsonSerializer.Deserialize<Tool>(json, McpJsonUtilities.DefaultOptions)!;
            tool.Name = $"{c.Name}.{tool.Name}";
            return tool;
        })).ToArray();
    }

    public async Task<IReadOnlyList<Resource>> ListResourcesAsync(ApiKeyPrincipal key)
    {
        if (!key.Permissions.Satisfies(Permissions.Read))
        {
            return [];
        }
        return (await CatalogsAsync()).SelectMany(c => c.Catalog.ResourcesJson.Select(json =>
        {
            var resource = JsonSerializer.Deserialize<Resource>(json, McpJsonUtilities.DefaultOptions)!;
            resource.Uri = ResourceUri(c.Name, resource.Uri);
            resource.Name = $"{c.Name}.{resource.Name}";
            return resource;
        })).ToArray();
    }

    public async Task<IReadOnlyList<Prompt>> ListPromptsAsync() =>
        (await CatalogsAsync()).SelectMany(c => c.Catalog.PromptsJson.Select(json =>
        {
            var prompt = JsonSerializer.Deserialize<Prompt>(json, McpJsonUtilities.DefaultOptions)!;
            prompt.Name = $"{c.Name}.{prompt.Name}";
            return prompt;
        })).ToArray();

    /// <summary>The integration a namespaced name belongs to, when it belongs to one.</summary>
    public async Task<(IIntegrationGrain Grain, string Name)?> ResolveAsync(string qualified)
    {
        var dot = qualified.IndexOf('.');
        if (dot <= 0 || ReservedNamespaces.Contains(qualified[..dot]))
        {
            return null;
        }
        var names = await grains.GetGrain<INameCatalogGrain>(NameCatalogs.Integrations).GetNamesAsync();
        var ns = qualified[..dot];
        return names.Contains(ns) ? (grains.GetGrain<IIntegrationGrain>(ns), qualified[(dot + 1)..]) : null;
    }

    public async Task<CallToolResult> CallToolAsync(ApiKeyPrincipal key, IIntegrationGrain grain, string tool, IDictionary<string, JsonElement>? arguments,
        McpServer server, ProgressToken? progressToken, CancellationToken cancellationToken)
    {
        if (!key.Permissions.Satisfies(Permissions.Execute))
        {
            throw new McpProtocolException($"Key {key.KeyId} lacks the execute permission tools of integrations need.", McpErrorCode.InvalidParams);
        }
        var argumentsJson = JsonSerializer.Serialize(arguments ?? new Dictionary<string, JsonElement>());
        await foreach (var step in grain.CallToolAsync(tool, argumentsJson, cancellationToken).WithCancellation(cancellationToken))
        {
            if (step.ResultJson is { } result)
            {
                return JsonSerializer.Deserialize<CallToolResult>(result, McpJsonUtilities.DefaultOptions)!;
            }
            if (progressToken is { } token)
            {
                await server.SendNotificationAsync(NotificationMethods.ProgressNotification, new ProgressNotificationParams
                {
                    ProgressToken = token,
                    Progress = new ProgressNotificationValue { Progress = step.Progress, Total = step.Total, Message = step.Message },
                }, cancellationToken: cancellationToken);
            }
        }
        throw new McpException($"The upstream call of '{tool}' ended without a result.");
    }

    public async Task<ReadResourceResult?> ReadResourceAsync(string uri, CancellationToken cancellationToken)
    {
        var path = uri[ResourceScheme.Length..];
        var slash = path.IndexOf('/');
        if (slash <= 0)
        {
            return null;
        }
        var ns = path[..slash];
        var names = await grains.GetGrain<INameCatalogGrain>(NameCatalogs.Integrations).GetNamesAsync();
        if (!names.Contains(ns))
        {
            return null;
        }
        var upstreamUri = Uri.UnescapeDataString(path[(slash + 1)..]);
        var json = await grains.GetGrain<IIntegrationGrain>(ns).ReadResourceAsync(upstreamUri, cancellationToken);
        var result = JsonSerializer.Deserialize<ReadResourceResult>(json, McpJsonUtilities.DefaultOptions)!;
        foreach (var contents in result.Contents)
        {
            contents.Uri = ResourceUri(ns, contents.Uri);
        }
        return result;
    }

    public static async Task<GetPromptResult> GetPromptAsync(IIntegrationGrain grain, string prompt, IDictionary<string, JsonElement>? arguments, CancellationToken cancellationToken)
    {
        var values = (arguments ?? new Dictionary<string, JsonElement>()).ToDictionary(
            a => a.Key, a => a.Value.ValueKind == JsonValueKind.String ? a.Value.GetString()! : a.Value.GetRawText());
        var json = await grain.GetPromptAsync(prompt, values, cancellationToken);
        return JsonSerializer.Deserialize<GetPromptResult>(json, McpJsonUtilities.DefaultOptions)!;
    }

    private static string ResourceUri(string ns, string upstream) => $"{ResourceScheme}{ns}/{Uri.EscapeDataString(upstream)}";

    private async Task<IReadOnlyList<(string Name, IntegrationCatalog Catalog)>> CatalogsAsync()
    {
        var names = await grains.GetGrain<INameCatalogGrain>(NameCatalogs.Integrations).GetNamesAsync();
        var catalogs = await Task.WhenAll(names.Select(async n => (Name: n, Catalog: await grains.GetGrain<IIntegrationGrain>(n).GetCatalogAsync())));
        return catalogs.Where(c => c.Catalog is not null).Select(c => (c.Name, c.Catalog!)).ToArray();
    }
}
