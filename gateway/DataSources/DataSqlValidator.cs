using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary><c>POST /api/data/sql</c>: a source and a statement (the executor decides what the statement may do).</summary>
public sealed class DataSqlValidator : IRequestValidator<DataSqlRequest, DataSqlRequest>
{
    public ValueTask<RequestValidation<DataSqlRequest>> ValidateAsync(DataSqlRequest request, HttpContext context) =>
        ValueTask.FromResult(
            string.IsNullOrWhiteSpace(request.Source) ? ApiErrors.Validation("Required field 'source' is missing", "source")
            : string.IsNullOrWhiteSpace(request.Sql) ? ApiErrors.Validation("Required field 'sql' is missing", "sql")
            : RequestValidation<DataSqlRequest>.Valid(request));
}
