using Mcp.Cluster.ApiKeys;
using Microsoft.AspNetCore.Authorization;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// Endpoint metadata and authorization requirement: the route needs an API key holding <see cref="Permission"/>.
/// <see cref="AllowAnonymous"/> lets requests without any key through (a presented key is still checked).
/// <see cref="BatchProperty"/> names a top-level JSON array in the body whose length is the request's cost; a batch
/// longer than <see cref="MaxBatchSize"/> is refused with 400 at a cost of 1. <see cref="Browser"/> also accepts HTTP
/// Basic credentials (the key as the password) and answers 401 with a Basic challenge, so a browser asks for the key
/// once and sends it with every page and fetch.
/// </summary>
/// <remarks>
/// As <see cref="IAuthorizationRequirementData"/> the record is its own policy: the authorization middleware finds it
/// in the endpoint's metadata, so no named policy per permission is needed.
/// </remarks>
public sealed record ApiKeyRequirement(Permissions Permission, bool AllowAnonymous = false, string? BatchProperty = null, int MaxBatchSize = int.MaxValue,
    bool Browser = false) : IAuthorizationRequirement, IAuthorizationRequirementData
{
    public IEnumerable<IAuthorizationRequirement> GetRequirements()
    {
        yield return this;
    }
}
