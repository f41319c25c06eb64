using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Models;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Completions;

/// <summary><c>POST /completions</c> and <c>/completions/stream</c>: the body becomes a <see cref="CompletionRequest"/> (<see cref="CompletionRequestValidator"/> holds the rules, shared with the socket's frames).</summary>
public sealed class CompletionApiRequestValidator(IOptions<CompletionOptions> options) : IRequestValidator<CompletionApiRequest, CompletionRequest>
{
    public ValueTask<RequestValidation<CompletionRequest>> ValidateAsync(CompletionApiRequest request, HttpContext context)
    {
        var (checkedRequest, problem) = CompletionRequestValidator.Validate(request, options.Value);
        return ValueTask.FromResult(problem is null
            ? RequestValidation<CompletionRequest>.Valid(checkedRequest!)
            : ApiErrors.Validation(problem.Detail, problem.Field));
    }
}
