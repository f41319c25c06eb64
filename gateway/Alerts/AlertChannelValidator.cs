using Mcp.Cluster.Alerts;
using Mcp.Cluster.Gateway.Http.Validation;

namespace Mcp.Cluster.Gateway.Alerts;

/// <summary><c>PUT /api/alerts/channels/{name}</c>: the route's name and the body become a channel definition (<see cref="AlertRequestReader"/> holds the rules).</summary>
public sealed class AlertChannelValidator : IRequestValidator<AlertChannelRequest, AlertChannelDefinition>
{
    public ValueTask<RequestValidation<AlertChannelDefinition>> ValidateAsync(AlertChannelRequest request, HttpContext context)
    {
        var name = context.Request.RouteValues["name"] as string ?? "";
        var (definition, error) = AlertRequestReader.ReadChannel(name, request);
        return ValueTask.FromResult(new RequestValidation<AlertChannelDefinition>(definition, error));
    }
}
