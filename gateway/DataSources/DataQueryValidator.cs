using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary><c>POST /api/data/query</c>: a source, then the query's shape (<see cref="DataRequestReader.ReadQuery"/>).</summary>
public sealed class DataQueryValidator : IRequestValidator<DataQueryRequest, DataQuery>
{
    public ValueTask<RequestValidation<DataQuery>> ValidateAsync(DataQueryRequest request, HttpContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Source))
        {
            return ValueTask.FromResult<RequestValidation<DataQuery>>(ApiErrors.Validation("Required field 'source' is missing", "source"));
        }
        var (query, error) = DataRequestReader.ReadQuery(request);
        return ValueTask.FromResult(new RequestValidation<DataQuery>(query, error));
    }
}
