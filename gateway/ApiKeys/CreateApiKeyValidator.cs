using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Gateway.Security;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary><c>POST /api/keys</c>: the request becomes a draft within the caller's own limits (<see cref="ApiKeyRequestValidator"/>).</summary>
public sealed class CreateApiKeyValidator(ApiKeyPolicy policy, IGrainFactory grains, TimeProvider time)
    : IRequestValidator<CreateApiKeyRequest, ApiKeyDraft>
{
    public async ValueTask<RequestValidation<ApiKeyDraft>> ValidateAsync(CreateApiKeyRequest request, HttpContext context)
    {
        var caller = context.GetApiKey();
        var callerKey = await ApiKeyEndpoints.LimitsOfAsync(caller, grains);
        var (draft, error) = ApiKeyRequestValidator.Validate(request, caller, callerKey, policy, time.GetUtcNow());
        return new(draft, error);
    }
}
