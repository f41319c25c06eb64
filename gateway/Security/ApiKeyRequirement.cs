using Mcp.Cluster.ApiKeys;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// Endpoint metadata: the route needs an API key holding <see cref="Permission"/>. <see cref="AllowAnonymous"/> lets
/// requests without any key through (a presented key is still checked). <see cref="BatchProperty"/> names a top-level
/// JSON array in the body whose length is the request's cost; a batch longer than <see cref="MaxBatchSize"/> is
/// refused with 400 at a cost of 1. <see cref="Browser"/> also accepts HTTP Basic credentials (the key as the password)
/// and answers 401 with a Basic challenge, so a browser asks for the key once and sends it with every page and fetch.
/// </summary>
public sealed record ApiKeyRequirement(Permissions Permission, bool AllowAnonymous = false, string? BatchProperty = null, int MaxBatchSize = int.MaxValue,
    bool Browser = false);
