using System.Collections.Frozen;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Mcp.Cluster.Gateway.OpenApi;

/// <summary>
/// Arranges the document as the user guide's Swagger walkthrough reads it: sections in the guide's order (API Keys,
/// Models, Predictions, Monitoring, then the rest), predict under "Predictions", status and metrics under "Models",
/// the model path parameter named <c>model_id</c> as in <c>POST /api/models/{model_id}/predict</c>, and the guide's
/// payloads as request examples. Only the document changes: routes and binding stay as they are.
/// </summary>
public sealed class GuideLayoutTransformer : IOpenApiDocumentTransformer
{
    public const string ModelRouteParameter = "model";
    public const string ModelIdParameter = "model_id";

    /// <summary>Sections in the guide's order, with what each holds. Tags not listed follow in the order they appear.</summary>
    private static readonly (string Name, string Description)[] Sections =
    [
        ("API Keys", "Create, list, rotate and revoke API keys. Start here: POST /api/keys without a key is self-service."),
        ("Models", "Register models and follow their status and metrics."),
        ("Predictions", "Run a model on one input or a batch."),
        ("Monitoring", "Health, usage summary, logs and cluster membership."),
        ("Data sources", "Register governed data sources, their grants and quotas."),
        ("Data", "Query data sources."),
        ("OpenAI-compatible", "The /v1 routes OpenAI clients call."),
        ("Completions", "Streamed completions (SSE and WebSocket)."),
        ("Prompts", "Prompt templates."),
        ("Tools", "MCP tools over REST."),
        ("Resources", "MCP resources over REST."),
        ("Integrations", "External MCP servers whose tools this gateway offers."),
        ("Alerts", "Alert rules and notification channels."),
        ("Audit", "Who did what."),
    ];

    /// <summary>Tags the endpoints carry that the guide names otherwise.</summary>
    private static readonly FrozenDictionary<string, string> Renamed = new Dictionary<string, string>
    {
        ["API keys"] = "API Keys",
        ["Health"] = "Monitoring",
        ["Usage"] = "Monitoring",
        ["Logs"] = "Monitoring",
        ["Cluster"] = "Monitoring",
    }.ToFrozenDictionary();

    /// <summary>Operations the guide files under another section than their route group.</summary>
    private static readonly FrozenDictionary<string, string> ByOperation = new Dictionary<string, string>
    {
        ["Predict"] = "Predictions",
        ["PredictBatch"] = "Predictions",
    }.ToFrozenDictionary();

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Paths = RenameModelParameter(document.Paths);
        var used = new List<string>();
        foreach (var operation in Operations(document))
        {
            var names = ByOperation.TryGetValue(operation.OperationId ?? "", out var section)
                ? [section]
                : (operation.Tags ?? Enumerable.Empty<OpenApiTagReference>()).Select(t => t.Name ?? "").Select(n => Renamed.GetValueOrDefault(n, n)).Distinct().ToArray();
            operation.Tags = new HashSet<OpenApiTagReference>(names.Select(n => new OpenApiTagReference(n, document)));
            used.AddRange(names);
            if (GuideExamples.For(operation.OperationId) is { } example
                && operation.RequestBody?.Content?.TryGetValue("application/json", out var media) == true && media is OpenApiMediaType json)
            {
                json.Example = example;
            }
            if (GuideExamples.AnswerFor(operation.OperationId) is { } answer
                && operation.Responses?.TryGetValue("200", out var ok) == true
                && ok.Content?.TryGetValue("application/json", out var okMedia) == true && okMedia is OpenApiMediaType okJson)
            {
                okJson.Example = answer;
            }
        }
        var known = Sections.Select(s => s.Name).ToHashSet();
        document.Tags = new HashSet<OpenApiTag>(
            Sections.Where(s => used.Contains(s.Name)).Select(s => new OpenApiTag { Name = s.Name, Description = s.Description })
                .Concat(used.Distinct().Where(n => !known.Contains(n)).Select(n => new OpenApiTag { Name = n })));
        return Task.CompletedTask;
    }

    private static IEnumerable<OpenApiOperation> Operations(OpenApiDocument document) =>
        (document.Paths ?? []).Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()).ToArray();

    /// <summary><c>/api/models/{model}…</c> becomes <c>/api/models/{model_id}…</c>; the URL a client builds is the same.</summary>
    private static OpenApiPaths RenameModelParameter(OpenApiPaths? paths)
    {
        var renamed = new OpenApiPaths();
        foreach (var (path, item) in paths ?? [])
        {
            var model = "{" + ModelRouteParameter + "}";
            if (!path.StartsWith("/api/models/" + model, StringComparison.Ordinal))
            {
                renamed[path] = item;
                continue;
            }
            foreach (var operation in item.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
            {
                foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>()
                    .Where(p => p is { In: ParameterLocation.Path, Name: ModelRouteParameter }))
                {
                    parameter.Name = ModelIdParameter;
                    parameter.Description = "The model_id from registration (mod_…), or name, name@version or name@alias.";
                }
            }
            renamed[path.Replace(model, "{" + ModelIdParameter + "}", StringComparison.Ordinal)] = item;
        }
        return renamed;
    }
}
