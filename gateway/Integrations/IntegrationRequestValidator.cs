using System.Text.Json;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Gateway.McpProtocol;
using Mcp.Cluster.Integrations;

namespace Mcp.Cluster.Gateway.Integrations;

/// <summary><c>POST /integrations</c>: name, URL, headers and description checked; the body becomes the grain's definition.</summary>
public sealed class IntegrationRequestValidator : IRequestValidator<IntegrationRequest, IntegrationDefinition>
{
    public ValueTask<RequestValidation<IntegrationDefinition>> ValidateAsync(IntegrationRequest request, HttpContext context) =>
        ValueTask.FromResult(Validate(request));

    private static RequestValidation<IntegrationDefinition> Validate(IntegrationRequest request)
    {
        if (request.Name is null || !IntegrationEndpoints.IsValidName(request.Name) || IntegrationProxy.ReservedNamespaces.Contains(request.Name))
        {
            return ApiErrors.Validation("Field 'name' must be 1-32 lower-case letters, digits, '_' or '-', start with a letter, and not be model, data or mcp.", "name");
        }
        if (request.Url is null || !Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            return ApiErrors.Validation("Field 'url' must be the http(s) URL of the server's MCP endpoint.", "url");
        }
        if (request.Headers is { Count: > IntegrationEndpoints.MaxHeaders } || request.Headers?.Keys.Any(h => !IntegrationEndpoints.IsValidHeaderName(h)) == true)
        {
            return ApiErrors.Validation($"Field 'headers' takes at most {IntegrationEndpoints.MaxHeaders} headers with valid names.", "headers");
        }
        if (request.Description is { Length: > 2000 })
        {
            return ApiErrors.Validation("Field 'description' is at most 2000 characters.", "description");
        }
        return RequestValidation<IntegrationDefinition>.Valid(new IntegrationDefinition(url.ToString(), JsonSerializer.Serialize(request.Headers ?? []),
            request.Description, request.ExposeUnprefixed ?? false));
    }
}
