using System.Text.Json;
using Mcp.Cluster.Gateway.Completions;
using Mcp.Cluster.Gateway.Http.Validation;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.OpenAi;

/// <summary><c>POST /v1/chat/completions</c>: the body, read by <see cref="ChatCompletionRequestReader"/>, with OpenAI-shaped errors.</summary>
public sealed class ChatCompletionValidator(IOptions<CompletionOptions> options) : IRequestValidator<JsonElement, ChatCompletionRequestReader.Parsed>
{
    public ValueTask<RequestValidation<ChatCompletionRequestReader.Parsed>> ValidateAsync(JsonElement request, HttpContext context)
    {
        var (parsed, problem) = ChatCompletionRequestReader.Read(request, options.Value.DefaultMaxTokens, options.Value.MaxTokensLimit);
        return ValueTask.FromResult(problem is null
            ? RequestValidation<ChatCompletionRequestReader.Parsed>.Valid(parsed!)
            : new RequestValidation<ChatCompletionRequestReader.Parsed>(null, OpenAiEndpoints.Invalid(problem.Detail, problem.Field)));
    }
}
