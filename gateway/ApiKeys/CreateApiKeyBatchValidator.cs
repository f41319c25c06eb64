using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Gateway.Security;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>
/// <c>POST /api/keys/batch</c>: every item is checked before anything is created, so a bad item never leaves half a
/// batch behind; field names in errors say which item (<c>keys[2].owner</c>).
/// </summary>
public sealed class CreateApiKeyBatchValidator(ApiKeyPolicy policy, IGrainFactory grains, TimeProvider time)
    : IRequestValidator<CreateApiKeyBatchRequest, ApiKeyDraft[]>
{
    public async ValueTask<RequestValidation<ApiKeyDraft[]>> ValidateAsync(CreateApiKeyBatchRequest request, HttpContext context)
    {
        if (request.Keys is not { Length: > 0 } keys)
        {
            return ApiErrors.Validation("Field 'keys' must hold at least one key.", "keys");
        }
        var caller = context.GetRequiredApiKey();
        var callerKey = await ApiKeyEndpoints.LimitsOfAsync(caller, grains);
        var now = time.GetUtcNow();
        var drafts = new ApiKeyDraft[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] is null)
            {
                return ApiErrors.Validation($"Item 'keys[{i}]' must be an object.", $"keys[{i}]");
            }
            var (draft, error) = ApiKeyRequestValidator.Validate(keys[i], caller, callerKey, policy, now, $"keys[{i}].");
            if (error is not null)
            {
                return error;
            }
            drafts[i] = draft!;
        }
        return RequestValidation<ApiKeyDraft[]>.Valid(drafts);
    }
}
