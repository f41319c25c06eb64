using Microsoft.AspNetCore.Http.Metadata;

namespace Mcp.Cluster.Gateway.Http;

/// <summary>
/// Endpoint metadata for a route whose body is a file, not JSON: streamed by the handler (never buffered or
/// JSON-checked by <see cref="StrictJsonBodyMiddleware"/>) and limited to <see cref="MaxRequestBodySize"/> instead of
/// <c>Gateway:MaxRequestBodyBytes</c>.
/// </summary>
public sealed record RawRequestBody(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
