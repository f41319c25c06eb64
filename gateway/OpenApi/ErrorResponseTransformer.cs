using System.Text.Json.Nodes;
using Mcp.Cluster.Gateway.Errors;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Mcp.Cluster.Gateway.OpenApi;

/// <summary>
/// Documents the one error shape (<see cref="ApiError"/>) on every 4xx/5xx answer the document lists, with an example
/// body per status, and lists 400 on every operation that takes a JSON body: the guide's "Response Codes" promise
/// ("example responses are provided for each code"). Endpoints answer errors through <see cref="ApiErrors"/>, which
/// carries no response metadata, so the shape is added here once instead of on each route.
/// </summary>
public sealed class ErrorResponseTransformer : IOpenApiDocumentTransformer
{
    public const string SchemaName = "ApiError";

    /// <summary>A fixed instant, so the document is the same on every request and every gateway.</summary>
    private const string ExampleTimestamp = "2024-03-14T12:00:00+00:00";

    /// <summary>The guide's <c>reset_time</c>: Unix seconds, like the X-RateLimit-Reset header.</summary>
    private const long ExampleResetTime = 1623456789;

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[SchemaName] = Schema();
        foreach (var operation in (document.Paths ?? []).Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()))
        {
            operation.Responses ??= new OpenApiResponses();
            if (operation.RequestBody?.Content?.ContainsKey("application/json") == true)
            {
                operation.Responses.TryAdd("400", new OpenApiResponse
                {
                    Description = "The body is not JSON, names an unknown field, has a field of the wrong type or breaks a rule (error: invalid_request or validation_error).",
                });
            }
            if (operation.OperationId is "Predict" or "PredictBatch")
            {
                operation.Responses.TryAdd("404", new OpenApiResponse { Description = "No model with this id, name@version or name@alias (error: not_found)." });
                operation.Responses.TryAdd("409", new OpenApiResponse
                {
                    Description = "The model is registered without a backend (error: model_not_deployed); attach one with PATCH /api/models/{model_id}.",
                });
            }
            foreach (var (status, response) in operation.Responses.ToArray())
            {
                if (response is OpenApiResponse { Content: null or { Count: 0 } } plain && status.Length == 3 && status[0] is '4' or '5')
                {
                    plain.Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new()
                        {
                            Schema = new OpenApiSchemaReference(SchemaName, document),
                            Example = Example(status, operation.OperationId, FirstRequiredField(document, operation), RequiredPermission(operation)),
                        },
                    };
                }
            }
        }
        return Task.CompletedTask;
    }

    private static OpenApiSchema Schema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "Every error: a machine-readable code, a sentence for people and when it happened, plus fields the case needs (field on 400, required_permission on 403, reset_time on 429, model_id on model errors).",
        Required = new HashSet<string> { "error", "detail", "timestamp" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["error"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Error code, e.g. validation_error, invalid_api_key, forbidden, not_found, rate_limit_exceeded, model_error." },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong and how to fix it." },
            ["timestamp"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
        },
    };

    private static string? FirstRequiredField(OpenApiDocument document, OpenApiOperation operation)
    {
        IOpenApiSchema? schema = null;
        if (operation.RequestBody?.Content?.TryGetValue("application/json", out var media) == true)
        {
            schema = media.Schema;
        }
        if (schema is OpenApiSchemaReference { Reference.Id: { } id } && document.Components?.Schemas?.TryGetValue(id, out var target) == true)
        {
            schema = target;
        }
        return schema?.Required?.FirstOrDefault();
    }

    private static string RequiredPermission(OpenApiOperation operation) =>
        operation.Extensions?.TryGetValue(ApiKeySecurityTransformers.PermissionExtension, out var extension) == true
            && extension is JsonNodeExtension { Node: JsonValue value }
            ? value.GetValue<string>()
            : "write";

    private static JsonObject Example(string status, string? operationId, string? requiredField, string permission)
    {
        var (code, detail, extra) = status switch
        {
            "400" when requiredField is not null => (ErrorCodes.ValidationError, $"Required field '{requiredField}' is missing.", new JsonObject { ["field"] = requiredField }),
            "400" => (ErrorCodes.InvalidRequest, "Unknown field 'descripton'.", null),
            "401" => (ErrorCodes.InvalidApiKey, "Missing API key. Send it in the X-API-Key header or as 'Authorization: Bearer <key>'.", null),
            "403" => (ErrorCodes.Forbidden, $"This API key lacks the '{permission}' permission.", new JsonObject { ["required_permission"] = permission }),
            "404" => (ErrorCodes.NotFound, "Not found.", null),
            "409" when operationId is "Predict" or "PredictBatch" => (ErrorCodes.ModelNotDeployed,
                "Model sentiment-analyzer@1.0.0 (mod_xxxxx) has no backend yet. Attach one with PATCH /api/models/mod_xxxxx, e.g. {\"provider\": \"builtin\", \"config\": {\"model\": \"sentiment\"}}, or a provider of your own (openai, huggingface, http, with its config).",
                new JsonObject { ["model_id"] = "mod_xxxxx" }),
            "409" => (ErrorCodes.Conflict, "The request conflicts with the current state.", null),
            "429" => (ErrorCodes.RateLimitExceeded, "Too many requests. Try again in 35 seconds.", new JsonObject { ["reset_time"] = ExampleResetTime }),
            _ => (status[0] == '5' ? ErrorCodes.ServiceUnavailable : ErrorCodes.InvalidRequest, "See detail.", null),
        };
        var body = new JsonObject { ["error"] = code, ["detail"] = detail, ["timestamp"] = ExampleTimestamp };
        foreach (var (name, value) in extra ?? [])
        {
            body[name] = value?.DeepClone();
        }
        return body;
    }
}
