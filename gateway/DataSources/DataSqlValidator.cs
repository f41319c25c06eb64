using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary><c>POST /api/data/sql</c>: a source and a statement (the executor decides what the statement may do).</summary>
public sealed class DataSqlValidator : IRequestValidator<DataSqlRequest, DataSqlRequest>
{
    public ValueTask<RequestValidation<DataSqlRequest>> ValidateAsync(DataSqlRequest request, HttpContext context) =>
        ValueTask.FromResult(
            request.Source is { } source && string.IsNullOrWhiteSpace(source) ? ApiErrors.Validation("Field 'source' must name a data source (or be left out).", "source")
            : string.IsNullOrWhiteSpace(request.Sql) ? ApiErrors.Validation("Required field 'sql' is missing", "sql")
            : RequestValidation<DataSqlRequest>.Valid(request));
}
