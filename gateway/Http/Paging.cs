using Mcp.Cluster.Gateway.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mcp.Cluster.Gateway.Http;

/// <summary>The <c>offset</c>/<c>limit</c> query parameters every list endpoint takes.</summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    public static (int Offset, int Limit, JsonHttpResult<ApiError>? Error) Read(int? offset, int? limit)
    {
        var skip = offset ?? 0;
        var take = limit ?? DefaultLimit;
        if (skip < 0)
        {
            return (0, 0, ApiErrors.Validation("Query parameter 'offset' must not be negative.", "offset"));
        }
        if (take is < 1 or > MaxLimit)
        {
            return (0, 0, ApiErrors.Validation($"Query parameter 'limit' must be between 1 and {MaxLimit}.", "limit"));
        }
        return (skip, take, null);
    }
}
