using System.Text.Json;
using Mcp.Cluster.Catalogs;
using Mcp.Cluster.Prompts;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>The prompt registry as MCP prompts (<c>prompts/list</c>, <c>prompts/get</c>) and argument completion for them.</summary>
public sealed class PromptCatalog(IGrainFactory grains)
{
    public async Task<IReadOnlyList<Prompt>> ListAsync()
    {
        var names = await grains.GetGrain<INameCatalogGrain>(NameCatalogs.Prompts).GetNamesAsync();
        var prompts = await Task.WhenAll(names.Select(n => grains.GetGrain<IPromptGrain>(n).GetAsync()));
        return prompts.OfType<PromptInfo>().Select(p => new Prompt
        {
            Name = p.Name,
            Title = p.Definition.Title,
            Description = p.Definition.Description,
            Arguments = [.. p.Definition.Arguments.Select(a => new PromptArgument { Name = a.Name, Description = Describe(a), Required = a.Required })],
        }).ToArray();
    }

    public async Task<bool> ExistsAsync(string name) => await grains.GetGrain<IPromptGrain>(name).GetAsync() is not null;

    public async Task<GetPromptResult> GetAsync(string name, IDictionary<string, JsonElement>? arguments)
    {
        var values = (arguments ?? new Dictionary<string, JsonElement>()).ToDictionary(
            a => a.Key, a => a.Value.ValueKind == JsonValueKind.String ? a.Value.GetString()! : a.Value.GetRawText(), StringComparer.Ordinal);
        var rendering = await grains.GetGrain<IPromptGrain>(name).RenderAsync(values)
            ?? throw new McpProtocolException($"Unknown prompt '{name}'.", McpErrorCode.InvalidParams);
        if (rendering.Problem is { } problem)
        {
            throw new McpProtocolException(problem, McpErrorCode.InvalidParams);
        }
        return new GetPromptResult
        {
            Description = rendering.Description,
            Messages = [.. rendering.Messages!.Select(m => new PromptMessage
            {
                Role = m.Role == "assistant" ? Role.Assistant : Role.User,
                Content = new TextContentBlock { Text = m.Text },
            })],
        };
    }

    /// <summary>Values of an enumerated argument that start with what the client typed so far (case-insensitive).</summary>
    public async Task<Completion> CompleteAsync(string prompt, string argument, string typed)
    {
        var info = await grains.GetGrain<IPromptGrain>(prompt).GetAsync()
            ?? throw new McpProtocolException($"Unknown prompt '{prompt}'.", McpErrorCode.InvalidParams);
        var spec = info.Definition.Arguments.FirstOrDefault(a => a.Name == argument)
            ?? throw new McpProtocolException($"Prompt '{prompt}' has no argument '{argument}'.", McpErrorCode.InvalidParams);
        var candidates = spec.Values ?? (spec.Type == "boolean" ? ["true", "false"] : []);
        return Completions.From(candidates, typed);
    }

    private static string? Describe(PromptArgumentSpec spec)
    {
        var details = new List<string>();
        if (spec.Type != "string") details.Add(spec.Type);
        if (spec.Values is { Count: > 0 } values) details.Add("one of " + string.Join(", ", values.Take(10)) + (values.Count > 10 ? ", …" : ""));
        if (spec.Default is { } fallback) details.Add($"default {fallback}");
        return details.Count == 0 ? spec.Description : $"{spec.Description}{(spec.Description is null ? "" : " ")}({string.Join("; ", details)})";
    }
}

/// <summary>Builds <c>completion/complete</c> answers: at most 100 values, with the total and whether more exist.</summary>
public static class Completions
{
    private const int Max = 100;

    public static Completion From(IEnumerable<string> candidates, string typed)
    {
        var matching = candidates.Where(c => c.StartsWith(typed, StringComparison.OrdinalIgnoreCase)).ToArray();
        return new Completion { Values = [.. matching.Take(Max)], Total = matching.Length, HasMore = matching.Length > Max };
    }
}
