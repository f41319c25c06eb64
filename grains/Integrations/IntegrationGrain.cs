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

    // Progress of calls in flight, by the progress token we sent upstream. A session-wide handler routes reports here
    // (rather than the SDK's per-call IProgress), because the last reports can be dispatched after the call's result,
    // when a per-call handler is already gone.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ChannelProgress> _inFlight = new(StringComparer.Ordinal);

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
        var progress = new ChannelProgress(events.Writer);
        var token = Guid.NewGuid().ToString("N");
        _inFlight[token] = progress;
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
                // The SDK hands progress notifications to their handler on their own; the last ones can still be on
                // their way when the result is in. Give them a moment so the client sees every step before the result.
                await progress.SettledAsync(TimeSpan.FromSeconds(2), cancellationToken);
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
        }, pools.CreateClient(trust), loggers, ownsHttpClient: true);
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        var client = await McpClient.CreateAsync(transport, new McpClientOptions
        {
            ClientInfo = new Implementation { Name = "mcp-cluster", Version = "1.0.0" },
        }, loggers, timeout.Token);
        _serverName = client.ServerInfo?.Name;
        _handlers.Add(client.RegisterNotificationHandler(NotificationMethods.ProgressNotification, (notification, _) =>
        {
            var report = notification.Params?.Deserialize<ProgressNotificationParams>(McpJsonUtilities.DefaultOptions);
            if (report?.ProgressToken.ToString() is { } key && _inFlight.TryGetValue(key, out var target))
            {
                target.Report(report.Progress);
            }
            return ValueTask.CompletedTask;
        }));
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

    private sealed class ChannelProgress(ChannelWriter<IntegrationCallEvent> writer) : IProgress<ProgressNotificationValue>
    {
        private readonly Lock _gate = new();
        private float? _progress;
        private float? _total;

        /// <summary>
        /// The SDK runs notification handlers on their own, so a step can arrive after the next one. Progress must
        /// increase with each notification (MCP), so a step older than one already passed on is dropped, not sent late.
        /// </summary>
        public void Report(ProgressNotificationValue value)
        {
            lock (_gate)
            {
                _total = value.Total;
                if (_progress is { } passed && value.Progress <= passed)
                {
                    return;
                }
                _progress = value.Progress;
                writer.TryWrite(new IntegrationCallEvent(value.Progress, value.Total, value.Message, null));
            }
        }

        /// <summary>Waits (at most <paramref name="limit"/>) until reported progress reaches its announced total.</summary>
        public async Task SettledAsync(TimeSpan limit, CancellationToken cancellationToken)
        {
            var deadline = DateTime.UtcNow + limit;
            while (Pending() && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10, cancellationToken);
            }
        }

        private bool Pending()
        {
            lock (_gate)
            {
                return _total is { } total && (_progress ?? 0) < total;
            }
        }
    }
}
