using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Prompts;

namespace Mcp.Cluster.Gateway.Prompts;

/// <summary><c>POST /prompts</c>: the body becomes a checked definition (<see cref="PromptRequestReader"/> holds the rules).</summary>
public sealed class PromptRequestValidator : IRequestValidator<PromptRequest, PromptDefinition>
{
    public ValueTask<RequestValidation<PromptDefinition>> ValidateAsync(PromptRequest request, HttpContext context)
    {
        var (_, definition, error) = PromptRequestReader.Read(request);
        return ValueTask.FromResult(new RequestValidation<PromptDefinition>(definition, error));
    }
}
