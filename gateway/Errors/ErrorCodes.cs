namespace Mcp.Cluster.Gateway.Errors;

public static class ErrorCodes
{
    public const string InvalidApiKey = "invalid_api_key";
    public const string Forbidden = "forbidden";
    public const string RateLimitExceeded = "rate_limit_exceeded";
    public const string QuotaExceeded = "quota_exceeded";
    public const string InvalidRequest = "invalid_request";
    public const string ValidationError = "validation_error";
    public const string BatchTooLarge = "batch_too_large";
    public const string PayloadTooLarge = "payload_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string NotReady = "not_ready";
    public const string InternalError = "internal_error";
    public const string ServiceUnavailable = "service_unavailable";
    public const string Conflict = "conflict";
    public const string OwnerUnavailable = "owner_unavailable";
    public const string ModelError = "model_error";
    public const string ModelTimeout = "model_timeout";
    public const string ModelUnavailable = "model_unavailable";
    public const string ModelNotDeployed = "model_not_deployed";
    public const string DataSourceUnavailable = "data_source_unavailable";
    public const string QueryTimeout = "query_timeout";
    public const string SqlError = "sql_error";
    public const string ResultTooLarge = "result_too_large";
    public const string UpstreamError = "upstream_error";
}
