using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Errors;

/// <summary>
/// Turns request-parsing failures (malformed JSON, wrong types, unknown fields, oversize or mistyped bodies) and
/// unexpected exceptions into the documented error shape. Nothing has been changed when a request fails here,
/// because bodies are fully parsed before a handler touches any grain.
/// </summary>
public sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            // Body-size failures surface wrapped in a 400 "failed to read" from model binding; the inner 413 is the truth.
            var cause = InnermostTooLarge(ex) ?? ex;
            var (code, detail) = Describe(context, cause);
            context.Response.Clear();
            await ApiErrors.WriteAsync(context, cause.StatusCode, code, detail);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception ex) when (!context.Response.HasStarted && IsClusterUnavailable(ex))
        {
            // Expected while a silo dies and membership catches up: the grain answers again from another silo.
            logger.LogWarning("Cluster unavailable on {Method} {Path}: {Error}", context.Request.Method, context.Request.Path, ex.Message);
            context.Response.Clear();
            context.Response.Headers.RetryAfter = "1";
            await ApiErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable,
                "The cluster did not answer in time. Retry shortly.");
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            logger.LogError(ex, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.Clear();
            await ApiErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, ErrorCodes.InternalError,
                "An unexpected error occurred. It has been logged.");
        }
    }

    /// <summary>A silo that is gone or unreachable (a connection refused or reset, a message rejected or timed out).</summary>
    private static bool IsClusterUnavailable(Exception ex) => ex is TimeoutException
        or Orleans.Runtime.SiloUnavailableException
        or Orleans.Runtime.OrleansMessageRejectionException
        or Orleans.Runtime.Messaging.ConnectionFailedException;

    private static BadHttpRequestException? InnermostTooLarge(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } tooLarge)
            {
                return tooLarge;
            }
        }
        return null;
    }

    private static (string Code, string Detail) Describe(HttpContext context, BadHttpRequestException ex)
    {
        if (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (ErrorCodes.PayloadTooLarge, "Request body is larger than this gateway accepts.");
        }
        if (ex.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return (ErrorCodes.UnsupportedMediaType, "Send the request body as application/json.");
        }
        if (ex.InnerException is JsonException json)
        {
            return (ErrorCodes.InvalidRequest, DescribeJson(context, json, BodyContract(context)));
        }
        if (!HasBody(context.Request))
        {
            return (ErrorCodes.InvalidRequest, "A JSON request body is required.");
        }
        return (ErrorCodes.InvalidRequest, ex.Message);
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    /// <summary>
    /// Words a body-binding failure from what the exception carries (its inner exception and <see cref="JsonException.Path"/>)
    /// and the endpoint's body type, never from System.Text.Json's message text, which may change between releases.
    /// </summary>
    internal static string DescribeJson(HttpContext context, JsonException json, JsonTypeInfo? body)
    {
        var path = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? null : json.Path.TrimStart('$', '.');
        if (json.InnerException is JsonException)
        {
            // The reader failed: not JSON. The strict-body check at the edge has already worded where and why.
            var syntax = context.Features.Get<Http.CheckedJsonBody>()?.Problem?.Detail
                ?? $"line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}";
            return path is null ? $"Request body is not valid JSON: {syntax}" : $"Request body is not valid JSON at '{path}': {syntax}";
        }
        if (json.InnerException is null && body is not null && json.Path is { } at && JsonBodyPath.UnknownMember(body, at) is { } unknown)
        {
            return $"Unknown field '{unknown}'.";
        }
        return path is null ? "Request body has the wrong shape." : $"Field '{path}' has the wrong type.";
    }

    /// <summary>The contract of the endpoint's body type, as the gateway's JSON options read it.</summary>
    private static JsonTypeInfo? BodyContract(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType is { } type
            ? context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions.GetTypeInfo(type)
            : null;
}
