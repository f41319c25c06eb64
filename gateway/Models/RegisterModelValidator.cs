using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.Models;

/// <summary><c>POST /api/models</c>: the body becomes a definition with a parsed name and version (<see cref="ModelRequestValidator"/>).</summary>
public sealed class RegisterModelValidator : IRequestValidator<RegisterModelRequest, ModelDefinition>
{
    public ValueTask<RequestValidation<ModelDefinition>> ValidateAsync(RegisterModelRequest request, HttpContext context)
    {
        var (definition, error) = ModelRequestValidator.Validate(request);
        return ValueTask.FromResult(new RequestValidation<ModelDefinition>(definition, error));
    }
}
