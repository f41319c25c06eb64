namespace Mcp.Cluster.Gateway.Http.Validation;

/// <summary>A validator's answer: the checked value, or the error result (documented shape) that replaces the handler's.</summary>
public readonly record struct RequestValidation<TValid>(TValid? Value, IResult? Error) where TValid : class
{
    public static RequestValidation<TValid> Valid(TValid value) => new(value, null);

    public static implicit operator RequestValidation<TValid>(Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<Errors.ApiError> error) =>
        new(null, error);
}
