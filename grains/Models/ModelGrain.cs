using System.Text.Json.Nodes;
using Mcp.Cluster.Changes;
using Mcp.Cluster.Completions;
using Mcp.Cluster.Models.Backends;
using Mcp.Cluster.Models.Hosted;
using Mcp.Cluster.Models.Hosted.Runtime;
using Mcp.Cluster.Models.Schemas;
using Mcp.Cluster.Models.Secrets;
using Mcp.Cluster.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Models;

/// <summary>
/// One model: it decides (definition, ownership, health loop, circuit breaker, counters) and
/// <see cref="ModelExecutorGrain"/>s on each silo do the predictions and embeddings, following the plan it hands them
/// (GetPlanAsync) and reporting back (ReportAsync); they also stream text generation, of which this grain keeps the
/// record (<see cref="CompletionLedger"/>). Reading a definition is <see cref="ModelDefinitionReader"/>'s, the breaker
/// <see cref="ModelCircuitBreaker"/>'s. Definition changes
/// are written before the call returns; request counters and health results are written behind by a non-interleaved
/// timer. Only non-interleaved methods write state, so writes never overlap
/// (the storage's etag check would reject an overlapping write).
/// </summary>
[GrainType("model")]
public sealed class ModelGrain(
    [PersistentState("model", StorageNames.Default)] IPersistentState<ModelState> model,
    ModelBackendRegistry backends,
    ModelSecretProtector secrets,
    ModelDefinitionReader reader,
    ModelArtifactInspector inspector,
    ModelArtifactPaths artifactPaths,
    IOptions<HostedModelOptions> hostedOptions,
    IOptions<ModelGrainOptions> options,
    IOptions<CompletionRecordOptions> completionOptions,
    Telemetry.McpMetrics metrics,
    TimeProvider time,
    ILogger<ModelGrain> logger) : Grain, IModelGrain, IRemindable
{
    private const string KeepAliveReminder = "keep-alive";

    private readonly ModelGrainOptions _options = options.Value;

    private PreparedModel? _prepared;
    private Task<ModelBackend>? _backend;
    private string? _backendError;
    private IGrainTimer? _healthTimer;
    private IGrainTimer? _flushTimer;
    private bool _dirty;

    private bool? _healthy;
    private int _healthFailures;

    private readonly ModelCircuitBreaker _breaker = new(options.Value, time);
    private ModelStatus? _publishedStatus;
    // Changes with every decision an executor must see. Executors compare versions only within one activation (the
    // issuer): the clock alone was not enough, as an activation made a moment later (a duplicate while the cluster
    // healed a lost silo) or on a silo whose clock ran ahead left executors ignoring the survivor's plans. The clock
    // still seeds it for executors of an earlier release during a rolling upgrade, which know no issuer.
    private long _planVersion = time.GetUtcNow().UtcTicks;
    private readonly long _planIssuer = Random.Shared.NextInt64();
    private readonly CompletionLedger _completions = new(completionOptions.Value, time);
    private readonly HostedModelTracker _hosted = new(hostedOptions.Value, time);

    private string ModelId => this.GetPrimaryKeyString();

    private string DisplayName => $"{model.State.Name}@{model.State.Version}";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!model.RecordExists)
        {
            return;
        }
        try
        {
            _prepared = await WithDerivedSchemaAsync(await reader.PrepareAsync(ModelId, model.State.Provider, model.State.InputSchema, model.State.OutputSchema,
                ModelSecretProtector.Placeholders(StoredConfig()), model.State.Task), model.State.InputSchema, model.State.Artifact);
            _hosted.Define(ModelId, _prepared, model.State.Artifact);
        }
        catch (Exception e) when (e is ModelConfigException or SchemaException)
        {
            // Stored definitions were valid when written; this means the silo's code or settings changed since.
            _backendError = $"The stored definition no longer loads: {e.Message}";
            logger.LogError(e, "Model {ModelId} cannot load its stored definition", ModelId);
        }
        _publishedStatus = null;
        StartTimers();
        await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty && model.RecordExists)
        {
            await FlushAsync();
        }
        DisposeBackend();
        // The activation may come back on another silo; this process no longer speaks for the model's health.
        metrics.BackendHealth("model", ModelId, null);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    public Task WakeAsync() => Task.CompletedTask;

    public async Task<ModelCommandResult> RegisterAsync(ModelDefinition definition, ModelCaller caller)
    {
        if (model.RecordExists)
        {
            return new ModelCommandResult(ModelCommandOutcome.Conflict, Detail: $"Model {ModelId} already exists.");
        }
        JsonObject stored;
        PreparedModel prepared;
        HostedArtifact? artifact;
        try
        {
            var config = reader.ParseConfig(definition.Config);
            stored = secrets.Protect(config, allowReferences: caller.IsAdmin);
            prepared = await reader.PrepareAsync(ModelId, definition.Provider, definition.InputSchema, definition.OutputSchema,
                ModelSecretProtector.Placeholders(stored), storedTask: null);
            reader.EnsureTargetsAllowed(prepared, caller);
            artifact = await NamedArtifactAsync(prepared, current: null, reinspect: true);
            prepared = await WithDerivedSchemaAsync(prepared, definition.InputSchema, artifact);
        }
        catch (ModelArtifactException e)
        {
            return ModelCommandResult.Invalid(e.Message, null);
        }
        catch (ConfigForbiddenException e)
        {
            return new ModelCommandResult(ModelCommandOutcome.Forbidden, Detail: e.Message, Field: e.Field);
        }
        catch (ModelConfigException e)
        {
            return ModelCommandResult.Invalid(e.Message, e.Field);
        }
        catch (SchemaException e)
        {
            return ModelCommandResult.Invalid(e.Message, e.Field);
        }

        var now = time.GetUtcNow();
        var s = model.State;
        s.Name = definition.Name;
        s.Version = definition.Version;
        s.Description = definition.Description;
        s.ModelType = definition.ModelType;
        s.Provider = definition.Provider.ToLowerInvariant();
        s.Task = prepared.Task;
        s.InputSchema = definition.InputSchema;
        s.OutputSchema = definition.OutputSchema;
        s.DataSources = [.. definition.DataSources];
        s.StoredConfig = stored.ToJsonString();
        s.TargetsSetByAdmin = caller.IsAdmin;
        s.Artifact = artifact;
        s.Owner = caller.Owner;
        s.CreatedBy = caller.KeyId;
        s.CreatedAt = now;
        s.UpdatedAt = now;

        var catalog = GrainFactory.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global);
        await model.WriteStateAsync();
        var indexed = await catalog.AddAsync(new ModelCatalogEntry(ModelId, s.Name, s.Version, s.Provider, s.Owner, now, ModelStatus.Registered), caller);
        if (indexed != ModelCommandOutcome.Ok)
        {
            await model.ClearStateAsync();
            model.State = new ModelState();
            DeactivateOnIdle();
            return indexed switch
            {
                ModelCommandOutcome.Forbidden => new ModelCommandResult(ModelCommandOutcome.Forbidden,
                    Detail: $"The model name '{definition.Name}' belongs to another owner; only its owner or an admin may add versions.", Field: "name"),
                // Only a definition built without parsing its name and version (a grain caller, not the gateway) gets here.
                ModelCommandOutcome.Invalid => ModelCommandResult.Invalid($"'{definition.Name}@{definition.Version}' is not a model name and version.", "name"),
                _ => new ModelCommandResult(ModelCommandOutcome.Conflict,
                    Detail: $"Model '{definition.Name}' already has a version '{definition.Version}'.", Field: "version"),
            };
        }

        _prepared = prepared;
        _hosted.Define(ModelId, prepared, artifact);
        _publishedStatus = ModelStatus.Registered;
        StartTimers();
        await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        logger.LogInformation("Model {ModelId} ({Name}@{Version}, provider {Provider}) registered by key {KeyId}",
            ModelId, s.Name, s.Version, s.Provider, caller.KeyId);
        return ModelCommandResult.Ok(ToInfo());
    }

    public Task<ModelInfo?> GetAsync()
    {
        if (!model.RecordExists)
        {
            DeactivateOnIdle();
            return Task.FromResult<ModelInfo?>(null);
        }
        return Task.FromResult<ModelInfo?>(ToInfo());
    }

    public async Task<ModelCommandResult> UpdateAsync(ModelPatch patch, ModelCaller caller)
    {
        if (!model.RecordExists)
        {
            DeactivateOnIdle();
            return ModelCommandResult.NotFound;
        }
        if (!CanManage(caller))
        {
            return new ModelCommandResult(ModelCommandOutcome.Forbidden, Detail: "Only the model's owner or an admin may change it.");
        }
        var s = model.State;
        var inputSchema = patch.SetInputSchema ? patch.InputSchema : s.InputSchema;
        var outputSchema = patch.SetOutputSchema ? patch.OutputSchema : s.OutputSchema;
        var stored = StoredConfig();
        var provider = s.Provider;
        var attaching = false;
        if (patch.Provider is { } requested)
        {
            requested = requested.Trim().ToLowerInvariant();
            if (s.Provider.Length > 0 && requested != s.Provider)
            {
                return ModelCommandResult.Invalid(
                    $"Model {DisplayName} is served by provider '{s.Provider}'; a provider is attached once and never changed. Register a new version instead.",
                    "provider");
            }
            attaching = s.Provider.Length == 0 && requested.Length > 0;
            provider = requested;
        }
        var configChanged = patch.ConfigMergePatch is not null || attaching;
        string? changedTarget = null;
        var adminNamedTarget = false;
        PreparedModel prepared;
        HostedArtifact? artifact;
        try
        {
            if (patch.ConfigMergePatch is not null)
            {
                var supplied = reader.ParseConfig(patch.ConfigMergePatch);
                var protectedPatch = secrets.Protect(supplied, previous: stored, allowReferences: caller.IsAdmin);
                var merged = JsonMergePatch.Apply(stored, protectedPatch) as JsonObject ?? new JsonObject();
                changedTarget = ModelDefinitionReader.ChangedTargetField(stored, merged);
                // An admin vouches for where requests go only by naming every address in the patch (restating one
                // counts, which is how a model stored before targets carried their setter moves to the trusted pool);
                // editing headers alone leaves an address someone else set where it was.
                var addresses = merged.Select(p => p.Key).Where(ModelDefinitionReader.IsAddressKey).ToArray();
                adminNamedTarget = caller.IsAdmin && addresses.Length > 0 && addresses.All(supplied.ContainsKey);
                if (changedTarget is not null && !caller.IsAdmin)
                {
                    ModelDefinitionReader.EnsureSecretsResent(merged, supplied, changedTarget);
                }
                stored = merged;
            }
            prepared = await reader.PrepareAsync(ModelId, provider, inputSchema, outputSchema, ModelSecretProtector.Placeholders(stored), storedTask: null);
            if (changedTarget is not null || attaching)
            {
                reader.EnsureTargetsAllowed(prepared, caller);
            }
            artifact = await NamedArtifactAsync(prepared, s.Artifact, reinspect: configChanged);
            prepared = await WithDerivedSchemaAsync(prepared, inputSchema, artifact);
        }
        catch (ModelArtifactException e)
        {
            return ModelCommandResult.Invalid(e.Message, null);
        }
        catch (ConfigForbiddenException e)
        {
            return new ModelCommandResult(ModelCommandOutcome.Forbidden, Detail: e.Message, Field: e.Field);
        }
        catch (ModelConfigException e)
        {
            return ModelCommandResult.Invalid(e.Message, e.Field);
        }
        catch (SchemaException e)
        {
            return ModelCommandResult.Invalid(e.Message, e.Field);
        }

        if (patch.SetDescription)
        {
            s.Description = patch.Description;
        }
        s.InputSchema = inputSchema;
        s.OutputSchema = outputSchema;
        s.Task = prepared.Task;
        s.StoredConfig = stored.ToJsonString();
        var previousArtifact = s.Artifact;
        s.Artifact = artifact;
        if (attaching)
        {
            // Whoever attaches the backend decides where its requests go, as a registration does.
            s.Provider = provider;
            s.TargetsSetByAdmin = caller.IsAdmin;
        }
        else if (adminNamedTarget)
        {
            s.TargetsSetByAdmin = true;
        }
        else if (changedTarget is not null && !caller.IsAdmin)
        {
            // Whoever last decided where the model's requests go decides the connection pool they use.
            s.TargetsSetByAdmin = false;
        }
        if (patch.DataSources is not null)
        {
            s.DataSources = [.. patch.DataSources];
        }
        if (patch.Status is { } status)
        {
            s.Maintenance = status == ModelStatus.Maintenance;
        }
        s.UpdatedAt = time.GetUtcNow();
        // Before the write's await: a plan asked for meanwhile (asks and reports interleave) already shows the change,
        // and must not carry the version of the plans that did not.
        _planVersion++;
        await model.WriteStateAsync();
        _dirty = false;

        var intervalChanged = prepared.HealthCheckInterval != _prepared?.HealthCheckInterval;
        _prepared = prepared;
        RedefineSession(previousArtifact);
        if (configChanged)
        {
            // New credentials or endpoint: start over with a fresh backend, breaker and health verdict.
            DisposeBackend();
            _backendError = null;
            _healthy = null;
            _healthFailures = 0;
            _breaker.Close();
        }
        if (intervalChanged || configChanged)
        {
            RestartHealthTimer();
        }
        PublishStatus();
        if (attaching)
        {
            await GrainFactory.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global).SetProviderAsync(ModelId, s.Provider);
        }
        // Its schemas or description may have changed, which MCP clients see as its tool definition.
        await this.PublishAsync(CatalogChangeKind.Models, s.Name, time, logger);
        logger.LogInformation("Model {ModelId} updated by key {KeyId}", ModelId, caller.KeyId);
        return ModelCommandResult.Ok(ToInfo());
    }

    public async Task<ModelCommandResult> DeleteAsync(ModelCaller caller)
    {
        if (!model.RecordExists)
        {
            DeactivateOnIdle();
            return ModelCommandResult.NotFound;
        }
        if (!CanManage(caller))
        {
            return new ModelCommandResult(ModelCommandOutcome.Forbidden, Detail: "Only the model's owner or an admin may delete it.");
        }
        var info = ToInfo();
        var deletedArtifact = model.State.Artifact;
        await GrainFactory.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global).RemoveAsync(ModelId);
        await model.ClearStateAsync();
        model.State = new ModelState();
        metrics.BackendHealth("model", ModelId, null);
        _dirty = false;
        _healthTimer?.Dispose();
        _flushTimer?.Dispose();
        if (await this.GetReminder(KeepAliveReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
        DisposeBackend();
        ForgetPlans();
        RetireSession(_hosted.Spec, _hosted.Plan?.Silo, deletedArtifact);
        DeactivateOnIdle();
        logger.LogInformation("Model {ModelId} ({Name}@{Version}) deleted by key {KeyId}", ModelId, info.Name, info.Version, caller.KeyId);
        return ModelCommandResult.Ok(info);
    }

    // Kept for callers that hold the model grain (tests, tools of old); the work is the executor's, on this silo.
    public Task<PredictionResult> PredictAsync(string inputJson, CancellationToken cancellationToken) =>
        Executor.PredictAsync(System.Text.Encoding.UTF8.GetBytes(inputJson), cancellationToken);

    public Task<PredictionResult> PredictBatchAsync(IReadOnlyList<string> inputsJson, CancellationToken cancellationToken) =>
        Executor.PredictBatchAsync(System.Text.Encoding.UTF8.GetBytes($"{{\"inputs\":[{string.Join(',', inputsJson)}]}}"), cancellationToken);

    public Task<EmbeddingOutcome> EmbedAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken = default) =>
        Executor.EmbedAsync(inputs, cancellationToken);

    private IModelExecutorGrain Executor => GrainFactory.GetGrain<IModelExecutorGrain>(ModelId);

    /// <summary>
    /// A decision changed: this silo's executor asks again before its next call (one-way, so a model grain never
    /// waits on an executor). Executors on other silos follow at their lease's end (ModelGrainOptions.ExecutorPlanLease).
    /// </summary>
    private void ForgetPlans() => Executor.ForgetPlanAsync().Ignore();

    public async Task<ModelExecutionPlan> GetPlanAsync()
    {
        await PlaceSessionAsync();
        return Plan(takeTrial: true);
    }

    public async Task<ModelExecutionPlan> ReportAsync(ModelOutcomeReport report)
    {
        if (report.PlacementStale)
        {
            _hosted.ForgetPlacement();
        }
        await PlaceSessionAsync();
        return Report(report);
    }

    private ModelExecutionPlan Report(ModelOutcomeReport report)
    {
        if (!model.RecordExists)
        {
            return ModelExecutionPlan.NotFound(ModelId, ++_planVersion, _planIssuer);
        }
        if (report.BackendError is { } error)
        {
            _breaker.ReleaseTrial();
            if (_backendError != error)
            {
                logger.LogWarning("Model {ModelId} backend failed to start on an executor: {Error}", ModelId, error);
            }
            _backendError = error;
            model.State.LastError = $"Backend failed to start: {error}";
            model.State.LastErrorAt = time.GetUtcNow();
            _dirty = true;
            _planVersion++;
            PublishStatus();
        }
        if (report.Requests > 0)
        {
            RecordSuccess(report.Requests, report.LatencyMsTotal / report.Requests, report.PromptTokens, report.CompletionTokens);
        }
        if (report.Failure is { } failure)
        {
            RecordFailure(Math.Max(1, report.FailedRequests), report.FailedLatencyMs, failure);
        }
        else if (report.TrialReleased)
        {
            _breaker.ReleaseTrial();
        }
        return Plan(takeTrial: false);
    }

    /// <summary>
    /// The decision executors obey, made here only. <paramref name="takeTrial"/>: the asker is about to send a call,
    /// so an open breaker whose break is over lets this one through as its trial.
    /// </summary>
    private ModelExecutionPlan Plan(bool takeTrial)
    {
        if (!model.RecordExists)
        {
            DeactivateOnIdle();
            return ModelExecutionPlan.NotFound(ModelId, ++_planVersion, _planIssuer);
        }
        var s = model.State;
        var prepared = _prepared;
        var unservable = prepared is null
            ? new ModelRefusal(PredictionOutcome.Unavailable, $"Model {DisplayName} cannot load: {_backendError}")
            : NotServable(prepared) is { } notServable ? new ModelRefusal(notServable.Outcome, notServable.Detail)
            : prepared.Onnx is not null ? _hosted.Refusal(DisplayName, ModelId, s.Artifact)
            : null;
        ModelRefusal? admission = null;
        var trial = false;
        if (unservable is null)
        {
            (admission, trial) = Admit(takeTrial);
        }
        return new ModelExecutionPlan(ModelId, _planVersion, s.UpdatedAt.UtcTicks, DisplayName, s.Provider, s.Task,
            prepared?.Capabilities.Order().ToArray() ?? [],
            prepared?.Input.Text ?? s.InputSchema ?? TaskSchemas.Input(s.Task),
            prepared?.Output.Text ?? s.OutputSchema ?? TaskSchemas.Output(s.Task),
            s.StoredConfig, prepared?.Timeout ?? TimeSpan.Zero, prepared?.MaxRetries ?? 0, prepared?.Http2PriorKnowledge ?? false,
            s.TargetsSetByAdmin, prepared?.TextField ?? "text", unservable, admission, trial, unservable is null ? _hosted.Plan : null, _planIssuer);
    }

    public Task<ModelCommandResult> MayAttachArtifactAsync(ModelCaller caller) => Task.FromResult(ArtifactRefusal(caller) ?? ModelCommandResult.Ok(ToInfo()));

    private ModelCommandResult? ArtifactRefusal(ModelCaller caller)
    {
        if (!model.RecordExists)
        {
            DeactivateOnIdle();
            return ModelCommandResult.NotFound;
        }
        if (!CanManage(caller))
        {
            return new ModelCommandResult(ModelCommandOutcome.Forbidden, Detail: "Only the model's owner or an admin may give it a model file.");
        }
        var provider = model.State.Provider;
        return provider.Length > 0 && !HostedProviders.IsHosted(provider)
            ? ModelCommandResult.Invalid(
                $"Model {DisplayName} is served by provider '{provider}'; only models the cluster runs itself (onnx, sentence_transformers) take a file.", "provider")
            : null;
    }

    public async Task<ModelCommandResult> AttachArtifactAsync(string location, string sha256, ModelCaller caller)
    {
        var refused = ArtifactRefusal(caller) ?? await AttachCoreAsync(location, sha256, caller);
        if (refused.Outcome != ModelCommandOutcome.Ok && model.State.Artifact?.Location != location)
        {
            // A refused upload is not kept; one that is the file the model already runs stays.
            try
            {
                ModelArtifactStore.Delete(artifactPaths, location);
            }
            catch (IOException e)
            {
                logger.LogWarning(e, "Model {ModelId} could not delete the refused upload {Location}", ModelId, location);
            }
        }
        return refused;
    }

    private async Task<ModelCommandResult> AttachCoreAsync(string location, string sha256, ModelCaller caller)
    {
        var s = model.State;
        var provider = s.Provider.Length > 0 ? s.Provider : HostedProviders.Onnx;
        // The upload replaces a file the config named: the model runs what it was last given.
        var stored = StoredConfig();
        stored.Remove("model_path");
        stored.Remove("model_name");
        HostedArtifact artifact;
        PreparedModel prepared;
        try
        {
            prepared = await reader.PrepareAsync(ModelId, provider, s.InputSchema, s.OutputSchema, ModelSecretProtector.Placeholders(stored), s.Task);
            artifact = await inspector.InspectAsync(fromUpload: true, location, sha256, time.GetUtcNow());
            if (HostedSessionPlanner.Mismatch(artifact, prepared.Task, prepared.Onnx!) is { } mismatch)
            {
                return ModelCommandResult.Invalid($"The file does not suit model {DisplayName}: {mismatch}", "artifact");
            }
            prepared = await WithDerivedSchemaAsync(prepared, s.InputSchema, artifact);
        }
        catch (ModelArtifactException e)
        {
            return ModelCommandResult.Invalid($"The file is not a model we can run: {e.Message}", "artifact");
        }
        catch (ModelConfigException e)
        {
            return ModelCommandResult.Invalid(e.Message, e.Field);
        }
        catch (SchemaException e)
        {
            return ModelCommandResult.Invalid(e.Message, e.Field);
        }
        var attaching = s.Provider.Length == 0;
        var previous = s.Artifact;
        s.Provider = provider;
        s.Task = prepared.Task;
        s.StoredConfig = stored.ToJsonString();
        s.Artifact = artifact;
        s.UpdatedAt = time.GetUtcNow();
        _planVersion++;
        await model.WriteStateAsync();
        _dirty = false;
        _prepared = prepared;
        RedefineSession(previous);
        DisposeBackend();
        _backendError = null;
        _healthy = null;
        _healthFailures = 0;
        _breaker.Close();
        RestartHealthTimer();
        PublishStatus();
        if (attaching)
        {
            await GrainFactory.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global).SetProviderAsync(ModelId, s.Provider);
        }
        await this.PublishAsync(CatalogChangeKind.Models, s.Name, time, logger);
        logger.LogInformation("Model {ModelId} runs file {Sha256} ({Bytes} bytes) uploaded by key {KeyId}", ModelId, artifact.Sha256, artifact.Bytes, caller.KeyId);
        return ModelCommandResult.Ok(ToInfo());
    }

    public Task HostReportAsync(string sessionKey, HostedSessionStatus? status)
    {
        if (_hosted.HostReported(sessionKey, status) && status is null)
        {
            _planVersion++;
            ForgetPlans();
        }
        return Task.CompletedTask;
    }

    /// <summary>Asks the placement ledger where the session runs, when it was never asked for it or long enough ago.</summary>
    private async Task PlaceSessionAsync()
    {
        if (!model.RecordExists || _hosted.Spec is null || !_hosted.NeedsPlacement)
        {
            return;
        }
        var before = _hosted.Plan?.Silo;
        var unschedulable = _hosted.Unschedulable;
        await _hosted.PlaceAsync(GrainFactory.GetGrain<IModelPlacementGrain>(0));
        if (!Equals(before, _hosted.Plan?.Silo) || unschedulable != _hosted.Unschedulable)
        {
            logger.LogDebug("Model {ModelId} session placed on {Silo} (was {Before}); unschedulable: {Reason}",
                ModelId, _hosted.Plan?.Silo, before, _hosted.Unschedulable ?? "no");
            _planVersion++;
            if (unschedulable != _hosted.Unschedulable)
            {
                PublishStatus();
            }
        }
    }

    /// <summary>
    /// The file a hosted model's config names (<c>model_path</c>/<c>model_name</c>), read again when
    /// <paramref name="reinspect"/>; else the file it has. Throws what the caller must fix.
    /// </summary>
    private async Task<HostedArtifact?> NamedArtifactAsync(PreparedModel prepared, HostedArtifact? current, bool reinspect)
    {
        if (prepared.Onnx is not { } onnx)
        {
            return prepared.Deployed ? null : current;
        }
        var artifact = current;
        if (onnx.NamedFile is { } named)
        {
            var location = artifactPaths.Confine(named.Field, named.Name);
            if (reinspect || current is null || current.FromUpload || current.Location != location)
            {
                artifact = await inspector.InspectAsync(fromUpload: false, location, knownSha256: null, time.GetUtcNow());
            }
        }
        if (artifact is not null && HostedSessionPlanner.Mismatch(artifact, prepared.Task, onnx) is { } mismatch)
        {
            throw new ModelArtifactException(mismatch);
        }
        return artifact;
    }

    /// <summary>
    /// A hosted model offers what its file can do, and a predict model without an input schema of its own gets one
    /// read from the file's signature.
    /// </summary>
    private static async Task<PreparedModel> WithDerivedSchemaAsync(PreparedModel prepared, string? ownSchema, HostedArtifact? artifact)
    {
        if (artifact is null || prepared.Onnx is not { } onnx)
        {
            return prepared;
        }
        prepared = prepared with { Capabilities = HostedSessionPlanner.Capabilities(artifact.Signature, onnx) };
        return ownSchema is null && prepared.Task == ModelTask.Predict
            ? prepared with { Input = await ModelSchema.ParseAsync(OnnxSchemas.InputSchemaFor(artifact.Signature, HostedSessionPlanner.IsTextModel(artifact.Signature))) }
            : prepared;
    }

    /// <summary>The definition changed: the session it calls for now; the one it called for before is unloaded.</summary>
    private void RedefineSession(HostedArtifact? previousArtifact)
    {
        var before = _hosted.Spec;
        var placedOn = _hosted.Plan?.Silo;
        _hosted.Define(ModelId, _prepared, model.State.Artifact);
        if (before is not null && before.SessionKey != _hosted.Spec?.SessionKey)
        {
            RetireSession(before, placedOn, previousArtifact is { FromUpload: true } && previousArtifact.Location != model.State.Artifact?.Location ? previousArtifact : null);
        }
    }

    /// <summary>
    /// Unloads a session no longer wanted (its host gives its memory back to the ledger; a placement never loaded is
    /// released here) and deletes the uploaded file it ran, if given.
    /// </summary>
    private void RetireSession(HostedSessionSpec? session, SiloAddress? placedOn, HostedArtifact? uploaded)
    {
        if (session is not null && placedOn is not null)
        {
            using (Hosted.Placement.HostedModelPlacement.Target(placedOn))
            {
                GrainFactory.GetGrain<IHostedModelGrain>(session.SessionKey).UnloadAsync().Ignore();
            }
            GrainFactory.GetGrain<IModelPlacementGrain>(0).ReleaseAsync(session.SessionKey, placedOn).Ignore();
        }
        if (uploaded is { FromUpload: true })
        {
            try
            {
                ModelArtifactStore.Delete(artifactPaths, uploaded.Location);
            }
            catch (IOException e)
            {
                logger.LogWarning(e, "Model {ModelId} could not delete its replaced file {Location}", ModelId, uploaded.Location);
            }
        }
    }

    public Task<bool> BeginCompletionAsync(CompletionBegin begin) => Task.FromResult(_completions.Start(begin));

    public Task FinishCompletionAsync(CompletionRecord record)
    {
        _completions.Finish(record);
        return Task.CompletedTask;
    }

    public Task<CancelCompletionOutcome> CancelCompletionAsync(string completionId, string owner, bool isAdmin) =>
        Task.FromResult(_completions.Cancel(completionId, owner, isAdmin));

    public Task AbandonCompletionAsync(string completionId)
    {
        if (_completions.Cancel(completionId, "", isAdmin: true) == CancelCompletionOutcome.Cancelling)
        {
            logger.LogWarning("Completion {CompletionId} on model {ModelId} stopped: its consumer is gone (token lease expired)", completionId, ModelId);
        }
        return Task.CompletedTask;
    }

    public Task<CompletionRecord?> GetCompletionAsync(string completionId) => Task.FromResult(_completions.Get(completionId));

    public Task<ModelStatusReport?> GetStatusAsync() =>
        Task.FromResult(model.RecordExists ? StatusReport() : null);

    public Task<ModelMetricsReport?> GetMetricsAsync(int days)
    {
        if (!model.RecordExists)
        {
            return Task.FromResult<ModelMetricsReport?>(null);
        }
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var from = today.AddDays(-Math.Clamp(days, 1, _options.MetricsRetentionDays) + 1);
        var period = model.State.Counters.Days.Where(d => d.Key >= from).ToArray();
        var requests = period.Sum(d => d.Value.Requests);
        var errors = period.Sum(d => d.Value.Errors);
        var latency = period.Sum(d => d.Value.LatencyMsTotal);
        return Task.FromResult<ModelMetricsReport?>(new ModelMetricsReport(
            period.ToDictionary(d => d.Key.ToString("yyyy-MM-dd"), d => d.Value.Requests),
            period.ToDictionary(d => d.Key.ToString("yyyy-MM-dd"), d => d.Value.Errors),
            requests,
            errors,
            requests == 0 ? 0 : Math.Round((double)errors / requests, 4),
            requests == 0 ? 0 : Math.Round(latency / requests, 2),
            period.Sum(d => d.Value.PromptTokens),
            period.Sum(d => d.Value.CompletionTokens)));
    }

    public async Task<ModelStatusReport?> CheckHealthAsync()
    {
        if (!model.RecordExists)
        {
            DeactivateOnIdle();
            return null;
        }
        await RunHealthCheckAsync(CancellationToken.None);
        return StatusReport();
    }

    /// <summary>
    /// Why the model cannot take any call until its owner or an operator acts: no backend attached, or a setting it
    /// needs is missing. Checked before admission, so such calls neither reach a provider nor count as failures.
    /// </summary>
    private (PredictionOutcome Outcome, string Detail)? NotServable(PreparedModel prepared) =>
        !prepared.Deployed
            ? (PredictionOutcome.NotDeployed,
                $"Model {DisplayName} ({ModelId}) has no backend yet. Upload a model file for the cluster to run with PUT /api/models/{ModelId}/artifact " +
                $"(an ONNX file), or attach a provider with PATCH /api/models/{ModelId}, e.g. " +
                $"{{\"provider\": \"builtin\", \"config\": {{\"model\": \"sentiment\"}}}}, or another provider with its config " +
                $"({string.Join(", ", backends.Providers.Where(p => p != "builtin").Order())}).")
        : prepared.Unconfigured is { } missing ? (PredictionOutcome.ModelError, $"Model {DisplayName} cannot be called yet: {missing}.")
        : null;

    /// <summary>
    /// Refuses traffic in maintenance, while health checks fail, or while the breaker is open; with
    /// <paramref name="takeTrial"/>, a breaker whose break is over lets the asker's next call through as its trial.
    /// </summary>
    private (ModelRefusal? Refusal, bool Trial) Admit(bool takeTrial = true)
    {
        var s = model.State;
        if (s.Maintenance)
        {
            return (new ModelRefusal(PredictionOutcome.Unavailable, $"Model {DisplayName} is in maintenance."), false);
        }
        if (_backendError is not null)
        {
            return (new ModelRefusal(PredictionOutcome.Unavailable, $"Model {DisplayName} cannot start: {_backendError}", HealthInterval), false);
        }
        if (_healthy == false)
        {
            return (new ModelRefusal(PredictionOutcome.Unavailable,
                $"Model {DisplayName} is failing health checks ({s.LastError}); traffic resumes when a check passes.", HealthInterval), false);
        }
        var refusal = _breaker.Admit(DisplayName, s.LastError, takeTrial, out var trial);
        if (trial)
        {
            _planVersion++;
        }
        return (refusal, trial);
    }

    private void RecordSuccess(int requests, double latency, long promptTokens, long completionTokens)
    {
        model.State.Counters.Record(time.GetUtcNow(), requests, failed: false, latency, _options.MetricsRetentionDays, promptTokens, completionTokens);
        _dirty = true;
        var closed = _breaker.Succeeded();
        if (_healthy is null)
        {
            // An answer served is as good a sign of health as a passed check: the model is active from its first one.
            _healthy = true;
            PublishStatus();
        }
        if (closed)
        {
            logger.LogInformation("Model {ModelId} answered its trial request; circuit closed", ModelId);
            PublishStatus();
        }
    }

    private void RecordFailure(int requests, double latency, string detail)
    {
        var now = time.GetUtcNow();
        var s = model.State;
        s.Counters.Record(now, requests, failed: true, latency, _options.MetricsRetentionDays);
        s.LastError = detail;
        s.LastErrorAt = now;
        _dirty = true;
        if (_breaker.Failed())
        {
            logger.LogWarning("Model {ModelId} circuit opened after {Failures} consecutive failures: {Detail}", ModelId, _breaker.ConsecutiveFailures, detail);
            PublishStatus();
        }
    }

    private async Task RunHealthCheckAsync(CancellationToken cancellationToken)
    {
        if (!model.RecordExists || _prepared is null or { Deployed: false } or { Unconfigured: not null })
        {
            return;
        }
        if (_prepared.Onnx is not null)
        {
            // A silo that joined (or left) may change where the session can run; the status follows.
            var before = _hosted.Unschedulable;
            try
            {
                await _hosted.RecheckAsync(GrainFactory.GetGrain<IModelPlacementGrain>(0));
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Model {ModelId} could not ask the placement ledger", ModelId);
            }
            if (before != _hosted.Unschedulable)
            {
                logger.LogDebug("Model {ModelId}'s health check found the session {Change}", ModelId, _hosted.Unschedulable is { } reason ? $"unschedulable: {reason}" : "schedulable again");
                // PublishStatus moves the plan version on, so executors ask for the new decision.
                PublishStatus();
            }
            if (_hosted.Spec is null)
            {
                return;
            }
        }
        BackendHealth health;
        try
        {
            var backend = await GetBackendAsync();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.HealthCheckTimeout);
            try
            {
                health = await backend.CheckHealthAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                health = BackendHealth.Failed($"The health check did not finish within {_options.HealthCheckTimeout.TotalSeconds:0.#} s.");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            health = BackendHealth.Failed(_backendError ?? e.Message);
        }
        if (!model.RecordExists)
        {
            return;
        }

        var now = time.GetUtcNow();
        var s = model.State;
        s.LastHealthCheck = now;
        s.LastHealthCheckPassed = health.Healthy;
        _dirty = true;
        if (health.Healthy)
        {
            if (_healthy == false)
            {
                logger.LogInformation("Model {ModelId} passes its health check again", ModelId);
            }
            _healthFailures = 0;
            _healthy = true;
        }
        else
        {
            _healthFailures++;
            s.LastError = $"Health check failed: {health.Detail}";
            s.LastErrorAt = now;
            if (_healthFailures >= _options.UnhealthyThreshold && _healthy != false)
            {
                _healthy = false;
                logger.LogWarning("Model {ModelId} is unhealthy after {Failures} failed checks: {Detail}", ModelId, _healthFailures, health.Detail);
            }
        }
        PublishStatus();
    }

    private Task<ModelBackend> GetBackendAsync()
    {
        if (_backend is { IsFaulted: true } or { IsCanceled: true })
        {
            _backend = null;
        }
        return _backend ??= CreateBackendAsync();
    }

    private async Task<ModelBackend> CreateBackendAsync()
    {
        var prepared = _prepared ?? throw new InvalidOperationException(_backendError ?? "The model is not loaded.");
        try
        {
            var backend = await backends.StartAsync(model.State.Provider, ModelId, new ModelConfig(secrets.Reveal(StoredConfig())), prepared.Timeout,
                prepared.MaxRetries, prepared.Http2PriorKnowledge,
                model.State.TargetsSetByAdmin ? Outbound.OutboundTrust.Trusted : Outbound.OutboundTrust.Restricted, _hosted.Spec);
            _backendError = null;
            PublishStatus();
            return backend;
        }
        catch (Exception e)
        {
            // The health loop retries every interval; log a failure once, not on every retry.
            if (_backendError != e.Message)
            {
                logger.LogWarning(e, "Model {ModelId} backend failed to start", ModelId);
            }
            _backendError = e.Message;
            model.State.LastError = $"Backend failed to start: {e.Message}";
            model.State.LastErrorAt = time.GetUtcNow();
            _dirty = true;
            PublishStatus();
            throw;
        }
    }

    private void DisposeBackend()
    {
        var previous = _backend;
        _backend = null;
        if (previous is { IsCompletedSuccessfully: true })
        {
            // Health checks still running on the old backend finish first (they are bounded by the model's timeout).
            ModelBackendRegistry.Retire(previous.GetAwaiter().GetResult(), _prepared?.Timeout ?? TimeSpan.Zero);
        }
    }

    private JsonObject StoredConfig() => JsonNode.Parse(model.State.StoredConfig) as JsonObject ?? new JsonObject();

    private bool CanManage(ModelCaller caller) => caller.IsAdmin || string.Equals(caller.Owner, model.State.Owner, StringComparison.Ordinal);

    private TimeSpan HealthInterval => _prepared?.HealthCheckInterval ?? _options.HealthCheckInterval;

    private ModelStatus CurrentStatus =>
        model.State.Maintenance ? ModelStatus.Maintenance
        : _hosted.Unschedulable is not null ? ModelStatus.Unschedulable
        : _backendError is not null || _prepared?.Unconfigured is not null || _healthy == false || _breaker.State != CircuitState.Closed ? ModelStatus.Error
        : _healthy == true ? ModelStatus.Active
        : ModelStatus.Registered;

    /// <summary>Tells the catalog (for listing by status) when the status changes; never on the request path's critical section.</summary>
    private void PublishStatus()
    {
        _planVersion++;
        ForgetPlans();
        var status = CurrentStatus;
        if (status == _publishedStatus || !model.RecordExists)
        {
            return;
        }
        _publishedStatus = status;
        metrics.BackendHealth("model", ModelId, status switch { ModelStatus.Active => true, ModelStatus.Error => false, _ => null });
        _ = PublishAsync(status);

        async Task PublishAsync(ModelStatus value)
        {
            try
            {
                await GrainFactory.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global).SetStatusAsync(ModelId, value);
            }
            catch (Exception e)
            {
                _publishedStatus = null;
                logger.LogWarning(e, "Model {ModelId} could not publish status {Status} to the catalog", ModelId, value);
            }
        }
    }

    private void StartTimers()
    {
        _flushTimer ??= this.RegisterGrainTimer(
            _ => _dirty ? FlushAsync() : Task.CompletedTask,
            new GrainTimerCreationOptions(_options.StatsFlushInterval, _options.StatsFlushInterval) { KeepAlive = false });
        RestartHealthTimer();
    }

    private void RestartHealthTimer()
    {
        _healthTimer?.Dispose();
        var interval = HealthInterval;
        // A small random delay spreads the first checks of many models activated together.
        var due = TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)Math.Min(interval.TotalMilliseconds, 1000)));
        _healthTimer = this.RegisterGrainTimer(
            ct => RunHealthCheckAsync(ct),
            new GrainTimerCreationOptions(due, interval) { KeepAlive = false, Interleave = true });
    }

    private async Task FlushAsync()
    {
        _dirty = false;
        try
        {
            await model.WriteStateAsync();
        }
        catch
        {
            _dirty = true;
            throw;
        }
    }

    private ModelStatusReport StatusReport()
    {
        var s = model.State;
        var counters = s.Counters;
        return new ModelStatusReport(
            CurrentStatus,
            counters.Requests,
            counters.Requests == 0 ? 0 : Math.Round(counters.LatencyMsTotal / counters.Requests, 2),
            _prepared?.Unconfigured ?? s.LastError,
            s.LastErrorAt,
            s.LastHealthCheck,
            s.LastHealthCheckPassed,
            _breaker.State,
            _breaker.ConsecutiveFailures,
            _prepared?.Onnx is not null || s.Artifact is not null ? _hosted.Report(s.Artifact) : null);
    }

    private ModelInfo ToInfo()
    {
        var s = model.State;
        var prepared = _prepared;
        return new ModelInfo(
            ModelId, s.Name, s.Version, s.Description, s.ModelType, s.Provider, s.Task,
            prepared?.Capabilities.Order().ToArray() ?? [],
            prepared?.Input.Text ?? s.InputSchema ?? TaskSchemas.Input(s.Task),
            prepared?.Output.Text ?? s.OutputSchema ?? TaskSchemas.Output(s.Task),
            s.DataSources,
            ModelSecretProtector.Masked(StoredConfig()).ToJsonString(),
            s.Owner, s.CreatedBy, s.CreatedAt, s.UpdatedAt, CurrentStatus,
            prepared?.Streaming ?? false);
    }
}
