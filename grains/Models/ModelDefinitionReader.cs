using System.Text.Json;
using System.Text.Json.Nodes;
using Mcp.Cluster.Models.Backends;
using Mcp.Cluster.Models.Schemas;
using Mcp.Cluster.Models.Secrets;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Models;

/// <summary>
/// Reads a model definition the way every model grain must: its config (size, shape, the provider's own settings),
/// its schemas, and where its requests would go (held to the outbound policy). Stateless, one per silo; the model
/// grain decides what to do with the answer and keeps the result as its <see cref="PreparedModel"/>.
/// </summary>
public sealed class ModelDefinitionReader(
    ModelBackendRegistry backends,
    Outbound.OutboundPolicy outbound,
    IOptions<ModelGrainOptions> options,
    IOptions<ModelBackendOptions> backendOptions)
{
    private readonly ModelGrainOptions _options = options.Value;

    /// <summary>Parses schemas and config without decrypting secrets; throws what a caller must fix.</summary>
    public async Task<PreparedModel> PrepareAsync(string modelId, string provider, string? inputSchema, string? outputSchema, JsonObject placeholderConfig, ModelTask? storedTask)
    {
        var config = new ModelConfig(placeholderConfig);
        var settings = ModelSettings.Read(config, backendOptions.Value);
        IReadOnlySet<ModelTask> capabilities;
        ModelTask task;
        bool streaming;
        string? unconfigured = null;
        if (provider.Length == 0)
        {
            // Registered without a backend: only the settings every model shares are accepted until one is attached.
            capabilities = new HashSet<ModelTask>();
            streaming = false;
            task = settings.Task ?? storedTask ?? ModelTask.Predict;
            if (config.UnreadFields.FirstOrDefault() is { } unknown)
            {
                throw new ModelConfigException($"config.{unknown}",
                    $"config.{unknown} is not a setting of a model without a provider (give \"provider\" with it, or use batch_size, requires_gpu, memory_requirement, timeout_seconds, task).");
            }
        }
        else
        {
            // Only built to read the config; it sends nothing, so the restricted pool is as good as any.
            var backend = backends.Create(provider, modelId, config, settings.Timeout, settings.MaxRetries, false, Outbound.OutboundTrust.Restricted);
            try
            {
                capabilities = backend.Capabilities;
                streaming = backend.SupportsStreaming;
                unconfigured = backend.Unconfigured;
                task = settings.Task ?? storedTask ?? backend.DefaultTask;
                if (!capabilities.Contains(task))
                {
                    throw ModelConfig.Invalid("task", $"'{task.ToString().ToLowerInvariant()}' is not offered by provider '{provider}' (it offers {string.Join(", ", capabilities.Select(c => c.ToString().ToLowerInvariant()))})");
                }
                if (config.UnreadFields.FirstOrDefault() is { } unknown)
                {
                    throw new ModelConfigException($"config.{unknown}", $"config.{unknown} is not a setting of provider '{provider}'.");
                }
            }
            finally
            {
                await backend.DisposeAsync();
            }
        }

        var input = await ParseSchemaAsync(inputSchema ?? TaskSchemas.Input(task), "input_schema");
        var output = await ParseSchemaAsync(outputSchema ?? TaskSchemas.Output(task), "output_schema");
        return new PreparedModel(task, capabilities, streaming, input, output, settings.Timeout, settings.MaxRetries,
            settings.HealthCheckInterval ?? _options.HealthCheckInterval, settings.Http2PriorKnowledge,
            new Dictionary<string, Uri>(config.Targets, StringComparer.Ordinal), provider.Length > 0, unconfigured,
            DeclaresResponseInsteadOfText(outputSchema) ? "response" : "text",
            settings.Hosting, Hosted.HostedProviders.IsHosted(provider) ? Hosted.OnnxModelSettings.Read(new ModelConfig(placeholderConfig)) : null);
    }

    /// <summary>An output schema written for <c>{response, usage}</c>, as the user guide's chat model declares it.</summary>
    private static bool DeclaresResponseInsteadOfText(string? outputSchema) =>
        outputSchema is not null
        && JsonNode.Parse(outputSchema) is JsonObject { } schema
        && schema["properties"] is JsonObject properties
        && properties.ContainsKey("response") && !properties.ContainsKey("text");

    private async Task<ModelSchema> ParseSchemaAsync(string text, string field)
    {
        if (text.Length > _options.MaxSchemaBytes)
        {
            throw new SchemaException($"{field} is larger than {_options.MaxSchemaBytes} bytes.", field);
        }
        try
        {
            return await ModelSchema.ParseAsync(text);
        }
        catch (SchemaException e)
        {
            throw new SchemaException($"{field} {e.Message}.", field);
        }
    }

    public JsonObject ParseConfig(string json)
    {
        if (json.Length > _options.MaxConfigBytes)
        {
            throw new ModelConfigException("config", $"config is larger than {_options.MaxConfigBytes} bytes.");
        }
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new ModelConfigException("config", "config must be an object.");
        }
        catch (JsonException e)
        {
            throw new ModelConfigException("config", $"config is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Holds every URL the backend will call to the outbound policy; admins may point anywhere.</summary>
    /// <exception cref="ConfigForbiddenException">A target a non-admin caller may not set.</exception>
    public void EnsureTargetsAllowed(PreparedModel prepared, ModelCaller caller)
    {
        foreach (var (name, uri) in prepared.Targets)
        {
            if (outbound.RefuseTarget(uri, caller.IsAdmin) is { } reason)
            {
                throw new ConfigForbiddenException($"config.{name}",
                    $"config.{name} {reason}; only admin keys may point models at internal addresses (operators allow hosts with Outbound:AllowedTargets).");
            }
        }
    }

    /// <summary>A setting that names an address requests go to (<c>base_url</c>, <c>url</c>, <c>health_url</c>, …).</summary>
    public static bool IsAddressKey(string key) => key.EndsWith("url", StringComparison.OrdinalIgnoreCase);

    /// <summary>A setting that decides where requests go and what they carry there: an address, or <c>headers</c>.</summary>
    private static bool IsTargetKey(string key) => IsAddressKey(key) || key.Equals("headers", StringComparison.OrdinalIgnoreCase);

    /// <summary>The first target setting that differs between two stored configs, or null.</summary>
    public static string? ChangedTargetField(JsonObject before, JsonObject after) =>
        before.Select(p => p.Key).Union(after.Select(p => p.Key))
            .Where(IsTargetKey)
            .Where(k => !JsonNode.DeepEquals(before[k], after[k]))
            .Select(k => $"config.{k}")
            .FirstOrDefault();

    /// <summary>
    /// A stored secret stays bound to the target it was given for: a non-admin who sends requests somewhere new must
    /// send every secret they would carry again (its value, not the mask that keeps the stored one).
    /// </summary>
    /// <exception cref="ConfigForbiddenException">A kept secret would follow the requests to the new target.</exception>
    public static void EnsureSecretsResent(JsonObject merged, JsonObject supplied, string changedTarget)
    {
        var resent = ModelSecretProtector.SuppliedSecretPaths(supplied);
        if (ModelSecretProtector.StoredSecretPaths(merged).FirstOrDefault(p => !resent.Contains(p)) is { } kept)
        {
            throw new ConfigForbiddenException(changedTarget,
                $"{changedTarget} changes where the model's requests go, and the stored secret {kept} would be sent there. " +
                $"Send {kept} again in the same request (its value, not '{ModelSecretProtector.Mask}'), or ask an admin to make the change.");
        }
    }
}
