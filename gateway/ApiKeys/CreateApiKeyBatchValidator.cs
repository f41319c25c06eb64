using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>
/// <c>POST /api/keys/batch</c>: every item is parsed before anything is decided or created, so a bad item never leaves
/// half a batch behind; field names in errors say which item (<c>keys[2].owner</c>).
/// </summary>
public sealed class CreateApiKeyBatchValidator : IRequestValidator<CreateApiKeyBatchRequest, ApiKeyGrantRequest[]>
{
    public ValueTask<RequestValidation<ApiKeyGrantRequest[]>> ValidateAsync(CreateApiKeyBatchRequest request, HttpContext context) =>
        ValueTask.FromResult(Validate(request));

    private static RequestValidation<ApiKeyGrantRequest[]> Validate(CreateApiKeyBatchRequest request)
    {
        if (request.Keys is not { Length: > 0 } keys)
        {
            return ApiErrors.Validation("Field 'keys' must hold at least one key.", "keys");
        }
        var parsed = new ApiKeyGrantRequest[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] is null)
            {
                return ApiErrors.Validation($"Item 'keys[{i}]' must be an object.", $"keys[{i}]");
            }
            var (item, error) = ApiKeyRequestValidator.Parse(keys[i], $"keys[{i}].");
            if (error is not null)
            {
                return error;
            }
            parsed[i] = item!;
        }
        return RequestValidation<ApiKeyGrantRequest[]>.Valid(parsed);
    }
}
