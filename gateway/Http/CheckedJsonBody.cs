using Mcp.Cluster.Json;

namespace Mcp.Cluster.Gateway.Http;

/// <summary>
/// Request feature: <see cref="StrictJsonBodyMiddleware"/> has checked this request's body already. It only lets a
/// body through that is unambiguous, so <see cref="Problem"/> is null or a syntax error the route words itself; a
/// route that reads the body as text uses this instead of scanning it again.
/// </summary>
public sealed record CheckedJsonBody(StrictJsonProblem? Problem);
