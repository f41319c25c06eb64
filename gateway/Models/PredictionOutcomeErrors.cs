using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.Models;

/// <summary>How a model call that did not succeed is reported, the same on every route: error code and HTTP status.</summary>
public static class PredictionOutcomeErrors
{
    public const string Cancelled = "completion_cancelled";

    public static string Code(PredictionOutcome outcome) => outcome switch
    {
        PredictionOutcome.NotFound => ErrorCodes.NotFound,
        PredictionOutcome.ValidationError => ErrorCodes.ValidationError,
        PredictionOutcome.Timeout => ErrorCodes.ModelTimeout,
        PredictionOutcome.Unavailable => ErrorCodes.ModelUnavailable,
        PredictionOutcome.Cancelled => Cancelled,
        PredictionOutcome.NotDeployed => ErrorCodes.ModelNotDeployed,
        _ => ErrorCodes.ModelError,
    };

    public static int Status(PredictionOutcome outcome) => outcome switch
    {
        PredictionOutcome.NotFound => StatusCodes.Status404NotFound,
        PredictionOutcome.ValidationError => StatusCodes.Status400BadRequest,
        PredictionOutcome.Timeout => StatusCodes.Status504GatewayTimeout,
        PredictionOutcome.Unavailable => StatusCodes.Status503ServiceUnavailable,
        PredictionOutcome.Cancelled => StatusCodes.Status409Conflict,
        PredictionOutcome.NotDeployed => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status502BadGateway,
    };

    /// <summary>Writes the error (in the route's error shape), with <c>Retry-After</c> when the model said when to come back.</summary>
    public static Task WriteAsync(HttpContext context, PredictionOutcome outcome, string detail, TimeSpan? retryAfter, Dictionary<string, object?> extra)
    {
        if (retryAfter is { } wait)
        {
            RetryAfterHeader.Set(context.Response, wait);
        }
        return ApiErrors.WriteAsync(context, Status(outcome), Code(outcome), detail, extra);
    }
}
