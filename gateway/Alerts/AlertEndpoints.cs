using Mcp.Cluster.Alerts;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Catalogs;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http.Validation;
using Mcp.Cluster.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mcp.Cluster.Gateway.Alerts;

/// <summary>Alerts (admin): what is firing, the rules the cluster's evaluator applies, and where it sends notifications.</summary>
public static class AlertEndpoints
{
    public const int MaxRules = 100;
    public const int MaxChannels = 50;

    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/alerts").WithTags("Alerts").RequireApiKey(Permissions.Admin);
        group.MapGet("/", GetAlertsAsync).WithName("GetAlerts").WithSummary("Alerts pending or firing now, and the latest resolved ones");
        group.MapPost("/evaluate", EvaluateAsync).WithName("EvaluateAlerts").WithSummary("Evaluate every rule now instead of at the next interval");
        group.MapGet("/rules", GetRulesAsync).WithName("ListAlertRules").WithSummary("The alert rules");
        group.MapPut("/rules/{name}", SetRuleAsync).WithName("SetAlertRule")
            .WithSummary("Create a rule, or change one (fields left out keep their values)")
            .WithDescription("kind: slow_queries (threshold in seconds, p95 per source), error_rate (share of 5xx answers), cache_miss_rate (share per source), concurrent_queries (reads running at once).");
        group.MapDelete("/rules/{name}", DeleteRuleAsync).WithName("DeleteAlertRule").WithSummary("Remove a rule; its firing alerts resolve");
        group.MapGet("/channels", ListChannelsAsync).WithName("ListAlertChannels").WithSummary("Notification channels (secrets never shown)");
        group.MapGet("/channels/{name}", GetChannelAsync).WithName("GetAlertChannel").WithSummary("One channel and its latest deliveries");
        group.MapPut("/channels/{name}", SetChannelAsync).WithName("SetAlertChannel")
            .ValidateRequest<AlertChannelRequest, AlertChannelDefinition, AlertChannelValidator>()
            .WithSummary("Create or replace a channel: webhook, slack, pager_duty or email (secrets left out keep the stored ones)");
        group.MapDelete("/channels/{name}", DeleteChannelAsync).WithName("DeleteAlertChannel").WithSummary("Remove a channel");
        group.MapPost("/channels/{name}/test", TestChannelAsync).WithName("TestAlertChannel").WithSummary("Send a test notification now and report the outcome");
        return routes;
    }

    private static IAlertEvaluatorGrain Evaluator(IGrainFactory grains) => grains.GetGrain<IAlertEvaluatorGrain>(IAlertEvaluatorGrain.UsageStreamsKey);

    private static async Task<Ok<AlertOverviewResponse>> GetAlertsAsync(IGrainFactory grains) =>
        TypedResults.Ok(AlertOverviewResponse.From(await Evaluator(grains).GetAlertsAsync()));

    private static async Task<Ok<AlertOverviewResponse>> EvaluateAsync(IGrainFactory grains)
    {
        var evaluator = Evaluator(grains);
        await evaluator.EvaluateAsync();
        return TypedResults.Ok(AlertOverviewResponse.From(await evaluator.GetAlertsAsync()));
    }

    private static async Task<Ok<AlertRuleListResponse>> GetRulesAsync(IGrainFactory grains) =>
        TypedResults.Ok(new AlertRuleListResponse((await Evaluator(grains).GetRulesAsync()).Select(AlertRuleResponse.From).ToArray()));

    private static async Task<Results<Ok<AlertRuleResponse>, JsonHttpResult<ApiError>>> SetRuleAsync(string name, AlertRuleRequest request, IGrainFactory grains)
    {
        var evaluator = Evaluator(grains);
        var rules = await evaluator.GetRulesAsync();
        var existing = rules.FirstOrDefault(r => r.Name == name);
        if (existing is null && rules.Count >= MaxRules)
        {
            return ApiErrors.Result(StatusCodes.Status409Conflict, ErrorCodes.Conflict, $"There are already {MaxRules} rules; remove one first.");
        }
        var (rule, error) = AlertRequestReader.ReadRule(name, request, existing);
        if (error is not null)
        {
            return error;
        }
        await evaluator.SetRuleAsync(rule!);
        return TypedResults.Ok(AlertRuleResponse.From(rule!));
    }

    private static async Task<Results<NoContent, JsonHttpResult<ApiError>>> DeleteRuleAsync(string name, IGrainFactory grains) =>
        AlertRequestReader.IsValidName(name) && await Evaluator(grains).DeleteRuleAsync(name)
            ? TypedResults.NoContent()
            : ApiErrors.NotFound($"Alert rule '{name}' not found.");

    private static async Task<Ok<AlertChannelListResponse>> ListChannelsAsync(IGrainFactory grains)
    {
        var names = await grains.GetGrain<INameCatalogGrain>(NameCatalogs.AlertChannels).GetNamesAsync();
        var channels = await Task.WhenAll(names.Select(n => grains.GetGrain<IAlertChannelGrain>(n).GetAsync()));
        return TypedResults.Ok(new AlertChannelListResponse(channels.OfType<AlertChannelInfo>()
            .OrderBy(c => c.Name, StringComparer.Ordinal).Select(AlertChannelResponse.Of).ToArray()));
    }

    private static async Task<Results<Ok<AlertChannelResponse>, JsonHttpResult<ApiError>>> GetChannelAsync(string name, IGrainFactory grains) =>
        AlertRequestReader.IsValidName(name) && await grains.GetGrain<IAlertChannelGrain>(name).GetAsync() is { } channel
            ? TypedResults.Ok(AlertChannelResponse.Of(channel))
            : ChannelNotFound(name);

    private static async Task<Results<Ok<AlertChannelResponse>, JsonHttpResult<ApiError>>> SetChannelAsync(
        string name, AlertChannelRequest request, HttpContext context, IGrainFactory grains)
    {
        var definition = context.Validated<AlertChannelDefinition>();
        var grain = grains.GetGrain<IAlertChannelGrain>(name);
        if (await grain.GetAsync() is null
            && (await grains.GetGrain<INameCatalogGrain>(NameCatalogs.AlertChannels).GetNamesAsync()).Count >= MaxChannels)
        {
            return ApiErrors.Result(StatusCodes.Status409Conflict, ErrorCodes.Conflict, $"There are already {MaxChannels} channels; remove one first.");
        }
        var info = await grain.SetAsync(definition);
        if (info is null)
        {
            var field = definition.Kind == AlertChannelKind.Slack ? "url" : "routing_key";
            return ApiErrors.Validation($"Field '{field}' is required: this channel has no stored value to keep.", field);
        }
        return TypedResults.Ok(AlertChannelResponse.Of(info));
    }

    private static async Task<Results<NoContent, JsonHttpResult<ApiError>>> DeleteChannelAsync(string name, IGrainFactory grains) =>
        AlertRequestReader.IsValidName(name) && await grains.GetGrain<IAlertChannelGrain>(name).DeleteAsync()
            ? TypedResults.NoContent()
            : ChannelNotFound(name);

    private static async Task<Results<Ok<AlertDeliveryResponse>, JsonHttpResult<ApiError>>> TestChannelAsync(string name, IGrainFactory grains) =>
        AlertRequestReader.IsValidName(name) && await grains.GetGrain<IAlertChannelGrain>(name).TestAsync() is { } delivery
            ? TypedResults.Ok(AlertDeliveryResponse.From(delivery))
            : ChannelNotFound(name);

    private static JsonHttpResult<ApiError> ChannelNotFound(string name) => ApiErrors.NotFound($"Alert channel '{name}' not found.");
}
