using Microsoft.AspNetCore.Http.HttpResults;

namespace Mcp.Cluster.Gateway.Errors;

/// <summary>Builders for <see cref="ApiError"/> responses, for endpoints (as results) and middleware (written directly).</summary>
public static class ApiErrors
{
    public static JsonHttpResult<ApiError> Result(int status, string code, string detail, Dictionary<string, object?>? extra = null) =>
        TypedResults.Json(new ApiError { Error = code, Detail = detail, Extra = extra }, statusCode: status);

    public static JsonHttpResult<ApiError> Validation(string detail, string? field = null) =>
        Result(StatusCodes.Status400BadRequest, ErrorCodes.ValidationError, detail, field is null ? null : new() { ["field"] = field });

    public static JsonHttpResult<ApiError> NotFound(string detail) =>
        Result(StatusCodes.Status404NotFound, ErrorCodes.NotFound, detail);

    public static JsonHttpResult<ApiError> Forbidden(string detail) =>
        Result(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, detail);

    public static Task WriteAsync(HttpContext context, int status, string code, string detail, Dictionary<string, object?>? extra = null) =>
        context.GetEndpoint()?.Metadata.GetMetadata<OpenAi.OpenAiCompatible>() is not null
            ? OpenAiResult(status, code, detail, extra).ExecuteAsync(context)
            : Result(status, code, detail, extra).ExecuteAsync(context);

    /// <summary>The same error in OpenAI's shape, for the <c>/v1</c> compatibility routes.</summary>
    public static IResult OpenAiResult(int status, string code, string detail, Dictionary<string, object?>? extra = null)
    {
        var error = new Dictionary<string, object?>
        {
            ["message"] = detail,
            ["type"] = code,
            ["param"] = extra?.GetValueOrDefault("field"),
            ["code"] = code,
        };
        foreach (var (name, value) in extra ?? [])
        {
            if (name != "field")
            {
                error[name] = value;
            }
        }
        return TypedResults.Json(new Dictionary<string, object?> { ["error"] = error }, statusCode: status);
    }
}
