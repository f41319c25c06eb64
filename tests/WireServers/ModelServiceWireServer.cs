using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mcp.Cluster.Tests.WireServers;

/// <summary>
/// A user's own model service for the <c>http</c> backend: <c>POST /predict</c> scores <c>{"amount"}</c> as a
/// fraud risk, <c>POST /batch</c> takes <c>{"inputs": [...]}</c>, <c>POST /wrong-shape</c> answers something the
/// output schema will reject, <c>POST /not-json</c> answers HTML, and <c>GET /health</c> reports health.
/// Requests must carry <c>X-Service-Key</c>. An input containing <see cref="RejectMarker"/> is refused with 413.
/// </summary>
public sealed class ModelServiceWireServer(string serviceKey = "svc-secret") : WireServer
{
    public const string RejectMarker = "[[reject-input]]";

    protected override void MapRoutes(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", (HttpContext context) => Authorized(context) ?? Results.Json(new { status = "ok" }));
        routes.MapPost("/predict", async (HttpContext context) =>
        {
            if (Authorized(context) is { } denied)
            {
                return denied;
            }
            var input = await JsonNode.ParseAsync(context.Request.Body);
            return input?.ToJsonString().Contains(RejectMarker, StringComparison.Ordinal) == true
                ? Results.Json(new { error = "input too large for this service" }, statusCode: 413)
                : Results.Json(Score(input));
        });
        routes.MapPost("/batch", async (HttpContext context) =>
        {
            if (Authorized(context) is { } denied)
            {
                return denied;
            }
            var inputs = (await JsonNode.ParseAsync(context.Request.Body))?["inputs"] as JsonArray ?? [];
            return Results.Json(new { predictions = inputs.Select(Score).ToArray() });
        });
        routes.MapPost("/wrong-shape", () => Results.Json(new { risk = "high" }));
        routes.MapPost("/not-json", () => Results.Content("<html>oops</html>", "text/html"));
    }

    private static JsonObject Score(JsonNode? input)
    {
        var amount = input?["amount"]?.GetValue<double>() ?? 0;
        var risk = Math.Round(Math.Min(1, amount / 10_000), 4);
        return new JsonObject { ["risk"] = risk, ["flagged"] = risk > 0.5 };
    }

    private IResult? Authorized(HttpContext context) =>
        context.Request.Headers["X-Service-Key"] == serviceKey ? null : Results.Json(new { error = "bad service key" }, statusCode: 401);
}
