using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mcp.Cluster.Tests.WireServers;

/// <summary>An operator's own HTTP endpoint receiving generic webhooks: accepts any POST with 204 and records it.</summary>
public sealed class WebhookReceiver : WireServer
{
    public Uri HookUrl => new(BaseUri, "hooks/mcp-alerts");

    protected override void MapRoutes(IEndpointRouteBuilder routes) =>
        routes.MapPost("/hooks/{**rest}", () => Results.NoContent());
}
