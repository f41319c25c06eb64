using Mcp.Cluster.Gateway.Security;
namespace Mcp.Cluster.Gateway.Http.Validation;

/// <summary>
/// Runs <typeparamref name="TValidator"/> on the endpoint's <typeparamref name="TRequest"/> argument; an invalid body is
/// answered with the validator's error and the handler never runs, a valid one reaches the handler as
/// <see cref="Validated{TValid}"/> (<c>context.Validated&lt;TValid&gt;()</c>).
/// </summary>
public sealed class RequestValidationFilter<TRequest, TValid, TValidator>(IServiceProvider services) : IEndpointFilter
    where TValid : class
    where TValidator : IRequestValidator<TRequest, TValid>
{
    private readonly TValidator _validator = ActivatorUtilities.CreateInstance<TValidator>(services);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var argument in context.Arguments)
        {
            if (argument is TRequest request)
            {
                var result = await _validator.ValidateAsync(request, context.HttpContext);
                if (result.Error is { } error)
                {
                    // On routes that leave the key check to the completion runner, a key that may not call is told so first.
                    return await context.HttpContext.WriteApiKeyRefusalAsync() ? Results.Empty : error;
                }
                context.HttpContext.Features.Set(new Validated<TValid>(result.Value!));
                break;
            }
        }
        return await next(context);
    }
}
