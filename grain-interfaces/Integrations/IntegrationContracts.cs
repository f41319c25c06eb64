namespace Mcp.Cluster.Integrations;

/// <summary>
/// An upstream MCP server re-exposed under a namespace. <see cref="HeadersJson"/> is a JSON object of HTTP headers
/// sent with every request (credentials: values encrypted at rest or <c>${VAR}</c> references). With
/// <see cref="Unprefixed"/> its tools, prompts and resources keep their own names (for a server meant to look native).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.IntegrationDefinition")]
public sealed record IntegrationDefinition(
    [property: Id(0)] string Url,
    [property: Id(1)] string HeadersJson,
    [property: Id(2)] string? Description,
    [property: Id(3)] bool Unprefixed = false);

[GenerateSerializer, Immutable, Alias("mcp.IntegrationInfo")]
public sealed record IntegrationInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string Url,
    [property: Id(2)] string? Description,
    [property: Id(3)] string HeadersJson,
    [property: Id(4)] bool Connected,
    [property: Id(5)] string? LastError,
    [property: Id(6)] string? ServerName,
    [property: Id(7)] int Tools,
    [property: Id(8)] int Resources,
    [property: Id(9)] int Prompts,
    [property: Id(10)] DateTimeOffset CreatedAt,
    [property: Id(11)] string CreatedBy,
    [property: Id(12)] DateTimeOffset? RefreshedAt,
    [property: Id(13)] bool Unprefixed = false);

/// <summary>What the upstream server offers, as its own protocol JSON, refreshed on its list_changed notifications.</summary>
[GenerateSerializer, Immutable, Alias("mcp.IntegrationCatalog")]
public sealed record IntegrationCatalog(
    [property: Id(0)] IReadOnlyList<string> ToolsJson,
    [property: Id(1)] IReadOnlyList<string> ResourcesJson,
    [property: Id(2)] IReadOnlyList<string> PromptsJson,
    [property: Id(3)] bool Unprefixed = false,
    [property: Id(4)] IReadOnlyList<string>? ResourceTemplatesJson = null);

/// <summary>
/// One step of a proxied tool call: a progress report, a message the upstream sent for the calling client
/// (<see cref="ClientMessage"/>), or the final result (CallToolResult JSON).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.IntegrationCallEvent")]
public sealed record IntegrationCallEvent(
    [property: Id(0)] float Progress,
    [property: Id(1)] float? Total,
    [property: Id(2)] string? Message,
    [property: Id(3)] string? ResultJson,
    [property: Id(4)] IntegrationClientMessage? ClientMessage = null);

/// <summary>
/// A message an upstream server sent, during a tool call, for the client that made the call: a log notification
/// (<c>notifications/message</c>, no <see cref="RequestId"/>) or a request the client must answer
/// (<c>sampling/createMessage</c>, <c>elicitation/create</c>), to be answered with
/// <see cref="IIntegrationGrain.AnswerClientRequestAsync"/> under <see cref="RequestId"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.IntegrationClientMessage")]
public sealed record IntegrationClientMessage(
    [property: Id(0)] string Method,
    [property: Id(1)] string ParamsJson,
    [property: Id(2)] string? RequestId);

[GenerateSerializer, Alias("mcp.IntegrationCommandOutcome")]
public enum IntegrationCommandOutcome
{
    Ok,
    NotFound,
    Conflict,
    Invalid,
    Forbidden,
}

[GenerateSerializer, Immutable, Alias("mcp.IntegrationCommandResult")]
public sealed record IntegrationCommandResult(
    [property: Id(0)] IntegrationCommandOutcome Outcome,
    [property: Id(1)] IntegrationInfo? Integration = null,
    [property: Id(2)] string? Detail = null,
    [property: Id(3)] string? Field = null);
