using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mcp.Cluster.Tests.WireServers;

/// <summary>
/// Slack's incoming webhooks: <c>POST /services/{team}/{bot}/{token}</c> with a JSON body carrying <c>text</c> (and
/// optionally <c>blocks</c>). Slack answers 200 <c>ok</c>; 400 <c>invalid_payload</c> or <c>no_text</c> for a bad body;
/// 404 <c>no_service</c> for an unknown URL; 403 <c>invalid_token</c> for a wrong token.
/// </summary>
public sealed class SlackWebhookWireServer(string token) : WireServer
{
    public const string Path = "services/T00000000/B00000000/";

    public Uri WebhookUrl => new(BaseUri, Path + token);

    protected override void MapRoutes(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/services/{team}/{bot}/{presented}", async (string presented, HttpContext context) =>
        {
            if (presented != token)
            {
                return Results.Text("invalid_token", statusCode: 403);
            }
            if (context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
            {
                return Results.Text("invalid_payload", statusCode: 400);
            }
            JsonNode? body;
            try
            {
                body = await JsonNode.ParseAsync(context.Request.Body);
            }
            catch (System.Text.Json.JsonException)
            {
                return Results.Text("invalid_payload", statusCode: 400);
            }
            if (body?["text"] is not JsonValue text || text.GetValue<string>().Length == 0)
            {
                return Results.Text("no_text", statusCode: 400);
            }
            if (body["blocks"] is { } blocks && (blocks is not JsonArray array || array.Any(b => b?["type"] is null)))
            {
                return Results.Text("invalid_blocks", statusCode: 400);
            }
            return Results.Text("ok");
        });
        routes.MapFallback(() => Results.Text("no_service", statusCode: 404));
    }
}
