using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mcp.Cluster.Tests.WireServers;

/// <summary>
/// The PagerDuty Events API v2: <c>POST /v2/enqueue</c>. It checks what the documentation requires: a 32-character
/// <c>routing_key</c>; <c>event_action</c> trigger, acknowledge or resolve; a <c>dedup_key</c> for acknowledge and
/// resolve; for trigger a <c>payload</c> with <c>summary</c> (at most 1024 characters), <c>source</c> and
/// <c>severity</c> (critical, error, warning, info). Valid events get 202 <c>{"status":"success", "dedup_key"}</c>,
/// invalid ones 400 <c>{"status":"invalid event", "errors"}</c>. It also tracks open incidents by dedup key.
/// </summary>
public sealed class PagerDutyEventsWireServer : WireServer
{
    private readonly HashSet<string> _open = [];

    public Uri EventsUrl => new(BaseUri, "v2/enqueue");

    public IReadOnlyCollection<string> OpenIncidents
    {
        get
        {
            lock (_open)
            {
                return _open.ToArray();
            }
        }
    }

    protected override void MapRoutes(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v2/enqueue", async (HttpContext context) =>
        {
            JsonNode? e;
            try
            {
                e = await JsonNode.ParseAsync(context.Request.Body);
            }
            catch (System.Text.Json.JsonException)
            {
                return Invalid("Event object is invalid");
            }
            var errors = new List<string>();
            var routingKey = (e?["routing_key"] as JsonValue)?.GetValue<string>();
            if (routingKey is not { Length: 32 })
            {
                errors.Add("'routing_key' is invalid");
            }
            var action = (e?["event_action"] as JsonValue)?.GetValue<string>();
            if (action is not ("trigger" or "acknowledge" or "resolve"))
            {
                errors.Add("'event_action' is invalid");
            }
            var dedup = (e?["dedup_key"] as JsonValue)?.GetValue<string>();
            if (dedup is { Length: > 255 } || (action is "acknowledge" or "resolve" && dedup is null))
            {
                errors.Add("'dedup_key' is invalid");
            }
            if (action == "trigger")
            {
                var payload = e?["payload"] as JsonObject;
                if ((payload?["summary"] as JsonValue)?.GetValue<string>() is not { Length: > 0 and <= 1024 })
                {
                    errors.Add("'payload.summary' is missing or too long");
                }
                if ((payload?["source"] as JsonValue)?.GetValue<string>() is not { Length: > 0 })
                {
                    errors.Add("'payload.source' is missing");
                }
                if ((payload?["severity"] as JsonValue)?.GetValue<string>() is not ("critical" or "error" or "warning" or "info"))
                {
                    errors.Add("'payload.severity' is invalid");
                }
            }
            if (errors.Count > 0)
            {
                return Invalid("Event object is invalid", errors);
            }
            dedup ??= Guid.NewGuid().ToString("N");
            lock (_open)
            {
                if (action == "trigger")
                {
                    _open.Add(dedup);
                }
                else if (action == "resolve")
                {
                    _open.Remove(dedup);
                }
            }
            return Results.Json(new { status = "success", message = "Event processed", dedup_key = dedup }, statusCode: 202);
        });
    }

    private static IResult Invalid(string message, IReadOnlyList<string>? errors = null) =>
        Results.Json(new { status = "invalid event", message, errors = errors ?? [] }, statusCode: 400);
}
