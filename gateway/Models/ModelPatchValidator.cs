using System.Text.Json;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.Models;

/// <summary><c>PATCH /api/models/{model}</c>: the body, read as an object so a field's presence counts, becomes a <see cref="ModelPatch"/>.</summary>
public sealed class ModelPatchValidator : IRequestValidator<JsonElement, ModelPatch>
{
    public ValueTask<RequestValidation<ModelPatch>> ValidateAsync(JsonElement request, HttpContext context)
    {
        var (patch, error) = ModelRequestValidator.ValidatePatch(request);
        return ValueTask.FromResult(new RequestValidation<ModelPatch>(patch, error));
    }
}
