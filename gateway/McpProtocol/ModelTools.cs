using System.Text.Json;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Models;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

using Mcp.Cluster.Gateway.Usage;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Every model a key may execute is an MCP tool named <c>model.{name}</c> (its latest version): the model's input
/// schema is the tool's inputSchema, its output schema the outputSchema, and a call is a prediction whose output comes
/// back as structuredContent and as text.
/// </summary>
public sealed class ModelTools(IGrainFactory grains, ModelResolver resolver, IHttpContextAccessor http)
{
    public const string Prefix = "model.";

    public async Task<IReadOnlyList<Tool>> ListAsync(ApiKeyPrincipal key) =>
        (await Task.WhenAll((await ListingsAsync(key)).Select(l => l.LoadAsync()))).OfType<Tool>().ToArray();

    /// <summary>
    /// The tools of the models the key may execute, by name, each read from its model grain only when loaded: a page
    /// of <c>tools/list</c> asks the grains of its own models only, not of the whole catalog.
    /// </summary>
    public async Task<IReadOnlyList<McpListing<Tool>>> ListingsAsync(ApiKeyPrincipal key)
    {
        if (!key.Permissions.Satisfies(Permissions.Execute))
        {
            return [];
        }
        var catalog = grains.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global);
        var page = await catalog.ListAsync(new ModelQuery(null, null, null, 0, int.MaxValue));
        var statuses = page.Models.ToDictionary(m => m.ModelId, m => m.Status, StringComparer.Ordinal);
        var names = page.Models.Select(m => m.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var latest = await Task.WhenAll(names.Select(async name => (Name: name, Id: await resolver.ResolveLatestAsync(name))));
        return latest
            .Where(l => l.Id is not null && statuses.TryGetValue(l.Id, out var status) && status != ModelStatus.Maintenance)
            .Select(l => new McpListing<Tool>(Prefix + l.Name, () => LoadAsync(l.Id!)))
            .ToArray();
    }

    private async Task<Tool?> LoadAsync(string modelId) =>
        await grains.GetGrain<IModelGrain>(modelId).GetAsync() is { Status: not ModelStatus.Maintenance } model ? ToTool(model) : null;

    public static bool Owns(string toolName) => toolName.StartsWith(Prefix, StringComparison.Ordinal);

    public async Task<CallToolResult> CallAsync(ApiKeyPrincipal key, string toolName, IDictionary<string, JsonElement>? arguments, CancellationToken cancellationToken)
    {
        if (!key.Permissions.Satisfies(Permissions.Execute))
        {
            throw new McpProtocolException($"Key {key.KeyId} lacks the execute permission models need.", McpErrorCode.InvalidParams);
        }
        var name = toolName[Prefix.Length..];
        var modelId = await resolver.ResolveLatestAsync(name)
            ?? throw new McpProtocolException($"Unknown tool '{toolName}'.", McpErrorCode.InvalidParams);
        if (http.HttpContext is { } context)
        {
            context.Usage().ModelId = modelId;
        }
        byte[] input;
        try
        {
            input = JsonSerializer.SerializeToUtf8Bytes(arguments ?? new Dictionary<string, JsonElement>());
        }
        catch (InvalidOperationException)
        {
            // An argument string that is not valid UTF-16 (a lone surrogate escape) cannot be written back out.
            return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = $"{Describe(PredictionOutcome.ValidationError)}: an argument holds a string that is not valid UTF-16." }] };
        }
        var result = await grains.GetGrain<IModelExecutorGrain>(modelId).PredictAsync(input, cancellationToken);
        if (result.Outcome != PredictionOutcome.Ok)
        {
            // Tool failures are results the model calling the tool can read and act on, not protocol errors.
            var detail = result.Field is null ? result.Detail : $"{result.Detail} (field {result.Field})";
            return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = $"{Describe(result.Outcome)}: {detail}" }] };
        }
        var output = result.Outputs[0];
        using var document = JsonDocument.Parse(output);
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = output }],
            // structuredContent is an object; an output that is not one is still in the text.
            StructuredContent = document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null,
        };
    }

    private static Tool ToTool(ModelInfo model)
    {
        var input = JsonDocument.Parse(model.InputSchema).RootElement.Clone();
        var output = JsonDocument.Parse(model.OutputSchema).RootElement.Clone();
        return new Tool
        {
            Name = Prefix + model.Name,
            Title = $"{model.Name} {model.Version}",
            Description = model.Description ?? $"{model.Task} model {model.Name}@{model.Version} ({model.Provider})",
            // MCP tools take an object; a model whose own schema is not an object schema is offered with an open one
            // (the model still checks its input against its own schema when called), so one such model cannot break
            // the tool list for everyone.
            InputSchema = IsObjectSchema(input) ? PortableSchema.Rewrite(input) : OpenObjectSchema.Clone(),
            OutputSchema = IsObjectSchema(output) ? PortableSchema.Rewrite(output) : null,
        };
    }

    private static readonly JsonElement OpenObjectSchema = JsonDocument.Parse("""{"type":"object"}""").RootElement;

    private static bool IsObjectSchema(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object
        && schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "object";

    private static string Describe(PredictionOutcome outcome) => outcome switch
    {
        PredictionOutcome.ValidationError => "Invalid input",
        PredictionOutcome.Timeout => "The model timed out",
        PredictionOutcome.Unavailable => "The model is unavailable",
        PredictionOutcome.ModelError => "The model failed",
        PredictionOutcome.NotDeployed => "The model has no backend yet",
        _ => outcome.ToString(),
    };
}
