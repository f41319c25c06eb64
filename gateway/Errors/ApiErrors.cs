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
        Result(status, code, detail, extra).ExecuteAsync(context);
}
