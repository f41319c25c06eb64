using Mcp.Cluster.Usage;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Mcp.Cluster.Gateway.Http;

/// <summary>
/// Gives a group's root endpoint the template a user writes: <c>MapGroup("/api/keys").MapPost("/")</c> (and the MCP
/// SDK's <c>MapMcp("/mcp")</c>) would be <c>/api/keys/</c>, and ASP.NET Core's <c>http_route</c> label, our
/// <c>route</c> label and usage aggregates all take the template from the endpoint. Matching is unchanged: routing
/// accepts a request path with or without its trailing slash either way.
/// </summary>
public static class RoutesAsWritten
{
    public static TBuilder WithRoutesAsWritten<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder route && route.RoutePattern.RawText is { } raw && RouteLabel.Template(raw) is var written
                && written != raw)
            {
                // Built from the parsed segments, so parameters with their inline defaults and constraints are kept.
                route.RoutePattern = RoutePatternFactory.Pattern(written, route.RoutePattern.PathSegments);
            }
        });
        return builder;
    }
}
