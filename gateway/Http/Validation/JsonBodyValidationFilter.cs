using Mcp.Cluster.Gateway.Security;
using System.Text.Json;
using Mcp.Cluster.Gateway.Errors;

namespace Mcp.Cluster.Gateway.Http.Validation;

/// <summary>
/// For endpoints that read their body as JSON rather than bind it (the OpenAI routes, whose fields' presence and types
/// are checked by hand): a JSON content type (415 otherwise) and a body that parses (400 <c>invalid_request</c>), then
/// <typeparamref name="TValidator"/> on the parsed element, as <see cref="RequestValidationFilter{TRequest, TValid, TValidator}"/>
/// does for a bound body. Errors are written in the route's shape (<see cref="ApiErrors.WriteAsync"/>).
/// </summary>
public sealed class JsonBodyValidationFilter<TValid, TValidator>(IServiceProvider services) : IEndpointFilter
    where TValid : class
    where TValidator : IRequestValidator<JsonElement, TValid>
{
    private readonly TValidator _validator = ActivatorUtilities.CreateInstance<TValidator>(services);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var type = http.Request.ContentType;
        if (type is null || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            if (await http.WriteApiKeyRefusalAsync())
            {
                return Results.Empty;
            }
            await ApiErrors.WriteAsync(http, StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                "Send the request as JSON with 'Content-Type: application/json'.");
            return Results.Empty;
        }
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            body = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            if (await http.WriteApiKeyRefusalAsync())
            {
                return Results.Empty;
            }
            await ApiErrors.WriteAsync(http, StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, $"The body is not valid JSON: {e.Message}");
            return Results.Empty;
        }
        var result = await _validator.ValidateAsync(body, http);
        if (result.Error is { } error)
        {
            // On routes that leave the key check to the completion runner, a key that may not call is told so first.
            return await http.WriteApiKeyRefusalAsync() ? Results.Empty : error;
        }
        http.Features.Set(new Validated<TValid>(result.Value!));
        return await next(context);
    }
}
