namespace Mcp.Cluster.Gateway.Http.Validation;

public static class RequestValidationExtensions
{
    /// <summary>Checks the body with <typeparamref name="TValidator"/> before the handler runs (an endpoint filter).</summary>
    public static RouteHandlerBuilder ValidateRequest<TRequest, TValid, TValidator>(this RouteHandlerBuilder builder)
        where TValid : class
        where TValidator : IRequestValidator<TRequest, TValid> =>
        builder.AddEndpointFilter<RequestValidationFilter<TRequest, TValid, TValidator>>();

    /// <summary>
    /// Reads the body as JSON (415 for another content type, 400 when it does not parse) and checks it with
    /// <typeparamref name="TValidator"/> before the handler runs, for endpoints that do not bind their body.
    /// </summary>
    public static RouteHandlerBuilder ValidateJsonBody<TValid, TValidator>(this RouteHandlerBuilder builder)
        where TValid : class
        where TValidator : IRequestValidator<System.Text.Json.JsonElement, TValid> =>
        builder.AddEndpointFilter<JsonBodyValidationFilter<TValid, TValidator>>();

    /// <summary>The value the endpoint's validation filter checked; only valid on an endpoint that has one.</summary>
    public static TValid Validated<TValid>(this HttpContext context) where TValid : class =>
        context.Features.Get<Validated<TValid>>()?.Value
        ?? throw new InvalidOperationException($"The endpoint has no validation filter producing {typeof(TValid).Name}.");
}
