using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Governance;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary><c>PUT /api/datasources/{name}/grants/{subject}</c>: the subject in the route, then the grant (<see cref="DataRequestReader.ReadGrant"/>).</summary>
public sealed class GrantRequestValidator : IRequestValidator<GrantRequest, DataGrant>
{
    public ValueTask<RequestValidation<DataGrant>> ValidateAsync(GrantRequest request, HttpContext context)
    {
        if (!DataAccessPolicy.IsValidSubject(context.Request.RouteValues["subject"] as string ?? ""))
        {
            return ValueTask.FromResult<RequestValidation<DataGrant>>(
                ApiErrors.Validation("The subject is a key id (key_…) or owner:NAME for every key of an owner.", "subject"));
        }
        var (grant, error) = DataRequestReader.ReadGrant(request);
        return ValueTask.FromResult(new RequestValidation<DataGrant>(grant, error));
    }
}
