using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.Models;

/// <summary>
/// <c>PUT /api/models/names/{name}/aliases/{alias}</c>: the alias in the route must be one (<see cref="ModelAliasName"/>)
/// and the body must name a version. A name or version that cannot exist is the handler's 404, as for one that does not.
/// </summary>
public sealed class SetAliasValidator : IRequestValidator<SetAliasRequest, AliasTarget>
{
    public ValueTask<RequestValidation<AliasTarget>> ValidateAsync(SetAliasRequest request, HttpContext context)
    {
        if (!ModelAliasName.TryParse(context.Request.RouteValues["alias"] as string, out var alias, out var aliasError))
        {
            return ValueTask.FromResult<RequestValidation<AliasTarget>>(ApiErrors.Validation(aliasError, "alias"));
        }
        if (string.IsNullOrWhiteSpace(request.Version))
        {
            return ValueTask.FromResult<RequestValidation<AliasTarget>>(ApiErrors.Validation("Required field 'version' is missing", "version"));
        }
        return ValueTask.FromResult(RequestValidation<AliasTarget>.Valid(new AliasTarget(alias, request.Version)));
    }
}

/// <summary>A checked alias move: the alias, and the version text it should point at.</summary>
public sealed record AliasTarget(ModelAliasName Alias, string Version);
