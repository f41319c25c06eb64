using System.Text.Json;

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
            var (code, detail) = Describe(cause);
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

    private static (string Code, string Detail) Describe(BadHttpRequestException ex)
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
            return (ErrorCodes.InvalidRequest, DescribeJson(json));
        }
        if (ex.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase))
        {
            return (ErrorCodes.InvalidRequest, "A JSON request body is required.");
        }
        return (ErrorCodes.InvalidRequest, ex.Message);
    }

    private static string DescribeJson(JsonException json)
    {
        var path = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? null : json.Path.TrimStart('$', '.');
        var message = json.Message;
        // System.Text.Json appends its own " Path: … | LineNumber: …" tail; the path is reported once, by name.
        var tail = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (tail > 0)
        {
            message = message[..tail];
        }
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return $"Unknown field '{ExtractQuoted(message) ?? path}'.";
        }
        if (message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return path is null ? "Request body has the wrong shape." : $"Field '{path}' has the wrong type.";
        }
        return path is null ? $"Request body is not valid JSON: {message}" : $"Request body is not valid JSON at '{path}': {message}";
    }

    private static string? ExtractQuoted(string message)
    {
        var start = message.IndexOf('\'');
        var end = start >= 0 ? message.IndexOf('\'', start + 1) : -1;
        return end > start ? message[(start + 1)..end] : null;
    }
}
