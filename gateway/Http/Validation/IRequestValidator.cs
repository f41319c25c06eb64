namespace Mcp.Cluster.Gateway.Http.Validation;

/// <summary>
/// Checks a bound request body before its endpoint runs and turns it into what the handler works with
/// (<typeparamref name="TValid"/>), or into the error to answer with. Created once per endpoint from the app's
/// services, so it holds only singletons; the request's own services are on the context.
/// </summary>
public interface IRequestValidator<in TRequest, TValid> where TValid : class
{
    ValueTask<RequestValidation<TValid>> ValidateAsync(TRequest request, HttpContext context);
}
