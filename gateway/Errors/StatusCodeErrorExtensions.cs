namespace Mcp.Cluster.Gateway.Errors;

public static class StatusCodeErrorExtensions
{
    /// <summary>Gives bodiless framework responses (unknown route, wrong method) the documented error shape.</summary>
    public static IApplicationBuilder UseApiErrorStatusPages(this IApplicationBuilder app) =>
        app.UseStatusCodePages(context =>
        {
            var http = context.HttpContext;
            var status = http.Response.StatusCode;
            var (code, detail) = status switch
            {
                404 => (ErrorCodes.NotFound, $"No endpoint at {http.Request.Method} {http.Request.Path}."),
                405 => (ErrorCodes.MethodNotAllowed, $"{http.Request.Method} is not allowed on {http.Request.Path}."),
                413 => (ErrorCodes.PayloadTooLarge, "Request body is larger than this gateway accepts."),
                415 => (ErrorCodes.UnsupportedMediaType, "Send the request body as application/json."),
                _ => (ErrorCodes.InvalidRequest, $"Request failed with status {status}."),
            };
            return ApiErrors.WriteAsync(http, status, code, detail);
        });
}
