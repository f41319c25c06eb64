using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Mcp.Cluster.Catalogs;
using Mcp.Cluster.Changes;
using Mcp.Cluster.Models.Backends;
using Mcp.Cluster.Models.Secrets;
using Mcp.Cluster.Storage;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

// Logging and sampling are deprecated from protocol 2026-07-28 on; upstreams and clients of 2025-11-25 use them,
// and the gateway relays them between the two.
#pragma warning disable MCP9005

namespace Mcp.Cluster.Integrations;

/// <summary>
/// One upstream MCP server. The grain owns the client session with it (Streamable HTTP, the official C# SDK), keeps
/// a snapshot of its tools, resources and prompts (refreshed when the upstream announces a list change), and proxies
/// calls with progress and cancellation passed through.
/// </summary>
[GrainType("integration")]
public sealed class IntegrationGrain(
    [PersistentState("integration", StorageNames.Default)] IPersistentState<IntegrationState> integration,
    ModelSecretProtector secrets,
    Outbound.OutboundPolicy outbound,
    Outbound.OutboundHandlers pools,
    ILoggerFactory loggers,
    TimeProvider time,
    ILogger<IntegrationGrain> logger) : Grain, IIntegrationGrain
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    private Task<McpClient>? _client;
    private IntegrationCatalog? _catalog;
    private string? _lastError;
    private string? _serverName;
    private DateTimeOffset? _refreshedAt;
    private readonly List<IAsyncDisposable> _handlers = [];

    // Calls in flight, by the progress token we sent upstream with each. Session-wide handlers route what the upstream
    // sends during a call (progress, log lines, requests to the client) to its relay by that token (see CallTaggingHandler).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CallRelay> _inFlight = new(StringComparer.Ordinal);

    // Requests the upstream made to a calling client, waiting for the client's answer (AnswerClientRequestAsync).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource<ClientAnswer>> _clientRequests = new(StringComparer.Ordinal);

    private string Name => this.GetPrimaryKeyString();

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await DisconnectAsync();

    public async Task<IntegrationCommandResult> RegisterAsync(IntegrationDefinition definition, string createdBy, bool byAdmin)
    {
        if (integration.RecordExists)
        {
            return new IntegrationCommandResult(IntegrationCommandOutcome.Conflict, Detail: $"Integration '{Name}' already exists.", Field: "name");
        }
        if (!Uri.TryCreate(definition.Url, UriKind.Absolute, out var url))
        {
            return new IntegrationCommandResult(IntegrationCommandOutcome.Invalid, Detail: "url must be an absolute http or https URL.", Field: "url");
        }
        if (outbound.RefuseTarget(url, byAdmin) is { } refusal)
        {
            return new IntegrationCommandResult(IntegrationCommandOutcome.Forbidden, Field: "url",
                Detail: $"url {refusal}; only admin keys may point integrations at internal addresses (operators allow hosts with Outbound:AllowedTargets).");
        }
        JsonObject stored;
        try
        {
            var headers = JsonNode.Parse(definition.HeadersJson) as JsonObject ?? new JsonObject();
            stored = secrets.Protect(headers, allowReferences: byAdmin, path: "headers");
            secrets.Reveal(stored);
        }
        catch (ConfigForbiddenException e)
        {
            return new IntegrationCommandResult(IntegrationCommandOutcome.Forbidden, Detail: e.Message, Field: e.Field);
        }
        catch (Exception e) when (e is ModelConfigException or JsonException)
        {
            return new IntegrationCommandResult(IntegrationCommandOutcome.Invalid, Detail: e.Message, Field: "headers");
        }
        integration.State = new IntegrationState
        {
            Url = definition.Url, StoredHeaders = stored.ToJsonString(), Description = definition.Description,
            CreatedAt = time.GetUtcNow(), CreatedBy = createdBy, Unprefixed = definition.Unprefixed, TargetSetByAdmin = byAdmin,
        };
        // Only a server that answers is registered: a typo in the URL or a refused credential fails here, not at first use.
        if (await RefreshCatalogAsync() is { } problem)
        {
            await DisconnectAsync();
            integration.State = new IntegrationState();
            DeactivateOnIdle();
            return new IntegrationCommandResult(IntegrationCommandOutcome.Invalid, Detail: $"The MCP server at {definition.Url} cannot be used: {problem}", Field: "url");
        }
        await integration.WriteStateAsync();
        await GrainFactory.GetGrain<INameCatalogGrain>(NameCatalogs.Integrations).AddAsync(Name);
        await this.PublishAsync(CatalogChangeKind.Integrations, Name, time, logger);
        logger.LogInformation("Integration {Integration} ({Url}) registered by {CreatedBy}", Name, definition.Url, createdBy);
        return new IntegrationCommandResult(IntegrationCommandOutcome.Ok, ToInfo());
    }

    public Task<IntegrationInfo?> GetAsync()
    {
        if (!integration.RecordExists)
        {
            DeactivateOnIdle();
        }
        return Task.FromResult(integration.RecordExists ? ToInfo() : null);
    }

    public async Task<bool> DeleteAsync()
    {
        if (!integration.RecordExists)
        {
            DeactivateOnIdle();
            return false;
        }
        await DisconnectAsync();
        await integration.ClearStateAsync();
        integration.State = new IntegrationState();
        await GrainFactory.GetGrain<INameCatalogGrain>(NameCatalogs.Integrations).RemoveAsync(Name);
        await this.PublishAsync(CatalogChangeKind.Integrations, Name, time, logger);
        DeactivateOnIdle();
        return true;
    }

    public async Task<IntegrationCommandResult> RefreshAsync()
    {
        if (!integration.RecordExists)
        {
            return new IntegrationCommandResult(IntegrationCommandOutcome.NotFound, Detail: $"Integration '{Name}' not found.");
        }
        var problem = await RefreshCatalogAsync();
        await this.PublishAsync(CatalogChangeKind.Integrations, Name, time, logger);
        return problem is null
            ? new IntegrationCommandResult(IntegrationCommandOutcome.Ok, ToInfo())
            : new IntegrationCommandResult(IntegrationCommandOutcome.Invalid, ToInfo(), problem);
    }

    public async Task<IntegrationCatalog?> GetCatalogAsync()
    {
        if (!integration.RecordExists)
        {
            return null;
        }
        if (_catalog is null)
        {
            await RefreshCatalogAsync();
        }
        return _catalog ?? new IntegrationCatalog([], [], [], integration.State.Unprefixed);
    }

    public async IAsyncEnumerable<IntegrationCallEvent> CallToolAsync(string tool, string argumentsJson, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var client = await ConnectAsync();
        var arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(argumentsJson) ?? [];
        var events = Channel.CreateUnbounded<IntegrationCallEvent>(new UnboundedChannelOptions { SingleReader = true });
        var relay = new CallRelay(events.Writer);
        var token = Guid.NewGuid().ToString("N");
        _inFlight[token] = relay;
        var call = RunAsync();
        await foreach (var item in events.Reader.ReadAllAsync(CancellationToken.None))
        {
            yield return item;
        }
        await call;

        async Task RunAsync()
        {
            try
            {
                var result = await client.CallToolAsync(new CallToolRequestParams
                {
                    Name = tool, Arguments = arguments, Meta = new JsonObject { ["progressToken"] = token },
                }, cancellationToken);
                // The SDK hands each message to its handler on its own; the last ones can still be on their way when
                // the result is in. The client sees every step of the call before its result.
                await relay.SettledAsync(TimeSpan.FromSeconds(2), time, cancellationToken);
                events.Writer.TryWrite(new IntegrationCallEvent(0, null, null, JsonSerializer.Serialize(result, McpJsonUtilities.DefaultOptions)));
                events.Writer.TryComplete();
            }
            catch (Exception e)
            {
                events.Writer.TryComplete(e);
            }
            finally
            {
                _inFlight.TryRemove(token, out _);
            }
        }
    }

    public Task AnswerClientRequestAsync(string requestId, string? resultJson, string? errorJson)
    {
        if (_clientRequests.TryRemove(requestId, out var waiting))
        {
            waiting.TrySetResult(new ClientAnswer(resultJson, errorJson));
        }
        return Task.CompletedTask;
    }

    public async Task<string> ReadResourceAsync(string uri, CancellationToken cancellationToken)
    {
        var client = await ConnectAsync();
        var result = await client.ReadResourceAsync(uri, cancellationToken: cancellationToken);
        return JsonSerializer.Serialize(result, McpJsonUtilities.DefaultOptions);
    }

    public async Task<string> CompleteAsync(string requestJson, CancellationToken cancellationToken)
    {
        var client = await ConnectAsync();
        var request = JsonSerializer.Deserialize<CompleteRequestParams>(requestJson, McpJsonUtilities.DefaultOptions)!;
        var result = await client.CompleteAsync(request, cancellationToken);
        return JsonSerializer.Serialize(result, McpJsonUtilities.DefaultOptions);
    }

    public async Task<string> GetPromptAsync(string prompt, IReadOnlyDictionary<string, string> arguments, CancellationToken cancellationToken)
    {
        var client = await ConnectAsync();
        var result = await client.GetPromptAsync(prompt, arguments.ToDictionary(a => a.Key, a => (object?)a.Value), cancellationToken: cancellationToken);
        return JsonSerializer.Serialize(result, McpJsonUtilities.DefaultOptions);
    }

    /// <summary>Lists the upstream's tools, resources and prompts; returns why that failed, if it did.</summary>
    private async Task<string?> RefreshCatalogAsync()
    {
        try
        {
            var client = await ConnectAsync();
            var capabilities = client.ServerCapabilities;
            var tools = capabilities.Tools is null ? [] : (await client.ListToolsAsync()).Select(t => JsonSerializer.Serialize(t.ProtocolTool, McpJsonUtilities.DefaultOptions)).ToArray();
            var resources = capabilities.Resources is null ? [] : (await client.ListResourcesAsync()).Select(r => JsonSerializer.Serialize(r.ProtocolResource, McpJsonUtilities.DefaultOptions)).ToArray();
            var prompts = capabilities.Prompts is null ? [] : (await client.ListPromptsAsync()).Select(p => JsonSerializer.Serialize(p.ProtocolPrompt, McpJsonUtilities.DefaultOptions)).ToArray();
            var templates = capabilities.Resources is null ? [] : (await client.ListResourceTemplatesAsync()).Select(t => JsonSerializer.Serialize(t.ProtocolResourceTemplate, McpJsonUtilities.DefaultOptions)).ToArray();
            _catalog = new IntegrationCatalog(tools, resources, prompts, integration.State.Unprefixed, templates);
            _refreshedAt = time.GetUtcNow();
            _lastError = null;
            return null;
        }
        catch (Exception e)
        {
            _lastError = e.Message;
            logger.LogWarning(e, "Integration {Integration} could not list the upstream server's offer", Name);
            await DisconnectAsync();
            return e.Message;
        }
    }

    private Task<McpClient> ConnectAsync()
    {
        if (_client is { IsFaulted: false, IsCanceled: false } connected)
        {
            return connected;
        }
        return _client = CreateClientAsync();
    }

    private async Task<McpClient> CreateClientAsync()
    {
        var headers = secrets.Reveal(JsonNode.Parse(integration.State.StoredHeaders) as JsonObject ?? new JsonObject());
        var trust = integration.State.TargetSetByAdmin ? Outbound.OutboundTrust.Trusted : Outbound.OutboundTrust.Restricted;
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(integration.State.Url),
            Name = Name,
            TransportMode = HttpTransportMode.StreamableHttp,
            ConnectionTimeout = ConnectTimeout,
            AdditionalHeaders = headers.ToDictionary(h => h.Key, h => h.Value?.GetValue<string>() ?? ""),
        }, new HttpClient(new CallTaggingHandler(new Outbound.OutboundHandlers.SharedHandler(pools.Pool(trust)), token => _inFlight.GetValueOrDefault(token)))
            {
                Timeout = Timeout.InfiniteTimeSpan,
            },
            loggers, ownsHttpClient: true);
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        var client = await McpClient.CreateAsync(transport, new McpClientOptions
        {
            ClientInfo = new Implementation { Name = "mcp-cluster", Version = "1.0.0" },
            // A 2025-11-25 session: over it an upstream can log to, sample from and elicit from the client of a call
            // on that call's stream (2026-07-28 has no sessions and moves these to multi-round-trip results).
            ProtocolVersion = "2025-11-25",
            // Whether a request can be answered depends on the client of the call it belongs to; the gateway that
            // serves that client refuses it when the client cannot (see IntegrationProxy).
            Capabilities = new ClientCapabilities
            {
                Sampling = new SamplingCapability(),
                Elicitation = new ElicitationCapability { Form = new FormElicitationCapability(), Url = new UrlElicitationCapability() },
            },
            Handlers = new McpClientHandlers
            {
                SamplingHandler = async (request, _, cancellationToken) =>
                    Read<CreateMessageResult>(await AskClientAsync(RequestMethods.SamplingCreateMessage, request, cancellationToken)),
                ElicitationHandler = async (request, cancellationToken) =>
                    Read<ElicitResult>(await AskClientAsync(RequestMethods.ElicitationCreate, request, cancellationToken)),
            },
        }, loggers, timeout.Token);
        _serverName = client.ServerInfo?.Name;
        _handlers.Add(client.RegisterNotificationHandler(NotificationMethods.ProgressNotification, (notification, _) =>
        {
            var (_, sequence) = CallTaggingHandler.Untag(notification.Params?["_meta"] as JsonObject);
            var report = notification.Params?.Deserialize<ProgressNotificationParams>(McpJsonUtilities.DefaultOptions);
            if (report?.ProgressToken.ToString() is { } key && _inFlight.TryGetValue(key, out var target))
            {
                target.Progress(sequence, report.Progress);
            }
            return ValueTask.CompletedTask;
        }));
        _handlers.Add(client.RegisterNotificationHandler(NotificationMethods.LoggingMessageNotification, (notification, _) =>
        {
            // A log line sent during a call goes to the client of that call; one sent outside any call has no client.
            if (notification.Params is JsonObject parameters && Related(parameters) is ({ } relay, var sequence))
            {
                relay.Deliver(sequence, new IntegrationCallEvent(0, null, null, null,
                    new IntegrationClientMessage(NotificationMethods.LoggingMessageNotification, parameters.ToJsonString(), null)));
            }
            return ValueTask.CompletedTask;
        }));
        if (client.ServerCapabilities.Logging is not null)
        {
            // Everything the upstream logs is relayed; each gateway filters by the level its client asked for.
            try
            {
                await client.SetLoggingLevelAsync(LoggingLevel.Debug, cancellationToken: timeout.Token);
            }
            catch (McpException e)
            {
                logger.LogDebug(e, "Integration {Integration} does not take a logging level", Name);
            }
        }
        var self = this.AsReference<IIntegrationGrain>();
        foreach (var method in new[] { NotificationMethods.ToolListChangedNotification, NotificationMethods.ResourceListChangedNotification, NotificationMethods.PromptListChangedNotification })
        {
            // The upstream changed its offer: list it again (through the grain, so the refresh runs in its turn).
            _handlers.Add(client.RegisterNotificationHandler(method, async (_, _) => await self.RefreshAsync()));
        }
        return client;
    }

    private async Task DisconnectAsync()
    {
        foreach (var handler in _handlers)
        {
            await handler.DisposeAsync();
        }
        _handlers.Clear();
        if (_client is { IsCompletedSuccessfully: true } connected)
        {
            await (await connected).DisposeAsync();
        }
        _client = null;
    }

    private IntegrationInfo ToInfo()
    {
        var s = integration.State;
        var headers = ModelSecretProtector.Masked(JsonNode.Parse(s.StoredHeaders) as JsonObject ?? new JsonObject()).ToJsonString();
        return new IntegrationInfo(Name, s.Url, s.Description, headers, _client is { IsCompletedSuccessfully: true } && _lastError is null, _lastError,
            _serverName, _catalog?.ToolsJson.Count ?? 0, _catalog?.ResourcesJson.Count ?? 0, _catalog?.PromptsJson.Count ?? 0, s.CreatedAt, s.CreatedBy, _refreshedAt,
            s.Unprefixed);
    }

    /// <summary>
    /// Hands a request the upstream made during a call to the client of that call (through the call's event stream,
    /// to the gateway serving it) and waits for the client's answer, which becomes the upstream's answer.
    /// </summary>
    private async Task<JsonElement> AskClientAsync<T>(string method, T? request, CancellationToken cancellationToken)
    {
        var parameters = JsonSerializer.SerializeToNode(request, McpJsonUtilities.DefaultOptions) as JsonObject ?? new JsonObject();
        if (Related(parameters) is not ({ } relay, var sequence))
        {
            throw new McpProtocolException($"{method} can only be relayed during a tool call made through the gateway.", McpErrorCode.InvalidRequest);
        }
        var id = Guid.NewGuid().ToString("N");
        var answer = new TaskCompletionSource<ClientAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        _clientRequests[id] = answer;
        try
        {
            if (!relay.Deliver(sequence, new IntegrationCallEvent(0, null, null, null, new IntegrationClientMessage(method, parameters.ToJsonString(), id))))
            {
                throw new McpProtocolException($"The tool call {method} belongs to has ended.", McpErrorCode.InvalidRequest);
            }
            var (result, error) = await answer.Task.WaitAsync(cancellationToken);
            if (result is not null)
            {
                return JsonDocument.Parse(result).RootElement.Clone();
            }
            var detail = error is null ? null : JsonSerializer.Deserialize<JsonRpcErrorDetail>(error, McpJsonUtilities.DefaultOptions);
            throw new McpProtocolException(detail?.Message ?? "The client did not answer.", (McpErrorCode)(detail?.Code ?? (int)McpErrorCode.InternalError));
        }
        finally
        {
            _clientRequests.TryRemove(id, out _);
        }
    }

    /// <summary>The call a message belongs to (from its tag; else the only call in flight) and its number on the wire.</summary>
    private (CallRelay? Relay, int? Sequence) Related(JsonObject parameters)
    {
        var (token, sequence) = CallTaggingHandler.Untag(parameters["_meta"] as JsonObject);
        if (parameters["_meta"] is JsonObject { Count: 0 })
        {
            parameters.Remove("_meta");
        }
        if (token is not null)
        {
            return (_inFlight.GetValueOrDefault(token), sequence);
        }
        // Untagged: sent on the session's own stream (after the upstream resumed a call's stream there, say). It can
        // only be placed when exactly one call is in flight.
        return _inFlight.Count == 1 ? (_inFlight.Values.FirstOrDefault(), null) : (null, null);
    }

    private static T Read<T>(JsonElement json) => json.Deserialize<T>(McpJsonUtilities.DefaultOptions)!;

    private readonly record struct ClientAnswer(string? ResultJson, string? ErrorJson);
}
