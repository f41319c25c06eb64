using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Http.Validation;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary><c>POST /api/keys</c>: the body parsed once into a typed request (<see cref="ApiKeyRequestValidator"/>).</summary>
public sealed class CreateApiKeyValidator : IRequestValidator<CreateApiKeyRequest, ApiKeyGrantRequest>
{
    public ValueTask<RequestValidation<ApiKeyGrantRequest>> ValidateAsync(CreateApiKeyRequest request, HttpContext context)
    {
        var (parsed, error) = ApiKeyRequestValidator.Parse(request);
        return ValueTask.FromResult(new RequestValidation<ApiKeyGrantRequest>(parsed, error));
    }
}
