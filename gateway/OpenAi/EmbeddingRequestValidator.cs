using System.Text.Json;
using Mcp.Cluster.Gateway.Completions;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.OpenAi;

/// <summary>A checked <c>POST /v1/embeddings</c> body.</summary>
public sealed record EmbeddingRequest(string Model, string[] Inputs, bool Base64);

/// <summary><c>POST /v1/embeddings</c>: a model, one string or a non-empty array of them, and an optional encoding; OpenAI-shaped errors.</summary>
public sealed class EmbeddingRequestValidator(IOptions<CompletionOptions> options) : IRequestValidator<JsonElement, EmbeddingRequest>
{
    public ValueTask<RequestValidation<EmbeddingRequest>> ValidateAsync(JsonElement root, HttpContext context) =>
        ValueTask.FromResult(Validate(root, options.Value.MaxEmbeddingInputs));

    private static RequestValidation<EmbeddingRequest> Validate(JsonElement root, int maxInputs)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("model", out var modelValue)
            || modelValue.ValueKind != JsonValueKind.String || modelValue.GetString() is not { Length: > 0 } model)
        {
            return Invalid("Required field 'model' is missing", "model");
        }
        if (!root.TryGetProperty("input", out var input))
        {
            return Invalid("Required field 'input' is missing", "input");
        }
        string[] inputs;
        if (input.ValueKind == JsonValueKind.String)
        {
            inputs = [input.GetString()!];
        }
        else if (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0 && input.EnumerateArray().All(i => i.ValueKind == JsonValueKind.String))
        {
            inputs = input.EnumerateArray().Select(i => i.GetString()!).ToArray();
        }
        else
        {
            return Invalid("Field 'input' must be a string or a non-empty array of strings (token arrays are not supported)", "input");
        }
        if (inputs.Length > maxInputs)
        {
            return new(null, ApiErrors.OpenAiResult(StatusCodes.Status400BadRequest, ErrorCodes.BatchTooLarge,
                $"At most {maxInputs} inputs per request; this one has {inputs.Length}.",
                new() { ["field"] = "input", ["max_batch_size"] = maxInputs }));
        }
        if (inputs.Any(string.IsNullOrEmpty))
        {
            return Invalid("Field 'input' must not contain empty strings", "input");
        }
        var base64 = false;
        if (root.TryGetProperty("encoding_format", out var format) && format.ValueKind != JsonValueKind.Null)
        {
            if (format.ValueKind != JsonValueKind.String || format.GetString() is not ("float" or "base64"))
            {
                return Invalid("Field 'encoding_format' must be 'float' or 'base64'", "encoding_format");
            }
            base64 = format.GetString() == "base64";
        }
        return RequestValidation<EmbeddingRequest>.Valid(new EmbeddingRequest(model, inputs, base64));
    }

    private static RequestValidation<EmbeddingRequest> Invalid(string detail, string field) => new(null, OpenAiEndpoints.Invalid(detail, field));
}
