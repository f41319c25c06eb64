using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mcp.Cluster.Completions;
using Mcp.Cluster.Json;
using Mcp.Cluster.Models.Backends;
using Mcp.Cluster.Models.Schemas;
using Mcp.Cluster.Models.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Mcp.Cluster.Models;

/// <summary>
/// Does a model's work on the silo that receives the call, so a busy model uses every silo instead of one
/// activation. One activation per silo (it holds the backend, whose connection pool or loaded model is worth
/// sharing), reentrant so calls overlap while they wait on the provider. It decides nothing: it follows the
/// <see cref="ModelExecutionPlan"/> of its <see cref="IModelGrain"/>, and tells that grain how calls went.
/// <para>
/// How fast a decision reaches it: a plan is followed for at most <see cref="ModelGrainOptions.ExecutorPlanLease"/>
/// (2 s by default), then asked for again before the next call, so a PATCH, a delete, or a breaker opened by failures
/// seen on another silo takes effect here within the lease plus one call. Sooner where it can: the model grain tells
/// its own silo's executor when a decision changes, and the gateway tells its silo's executor after a PATCH or delete
/// (<see cref="IModelExecutorGrain.ForgetPlanAsync"/>), so on that silo the next call follows the change. Failures on this silo are reported before
/// their answer returns and the reply is the new plan, so a breaker they open refuses this silo's next call.
/// An open breaker's refusal carries its end; the first call after it asks the grain, which grants one trial.
/// </para>
/// </summary>
[GrainType("modelexecutor")]
[StatelessWorker(1)]
[Reentrant]
public sealed class ModelExecutorGrain(
    ModelBackendRegistry backends,
    ModelSecretProtector secrets,
    IOptions<ModelGrainOptions> options,
    IOptions<CompletionRecordOptions> recordOptions,
    LocalCompletions completions,
    TimeProvider time,
    ILogger<ModelExecutorGrain> logger) : Grain, IModelExecutorGrain
{

    private readonly ModelGrainOptions _options = options.Value;

    private ModelPlanLease? _lease;

    private long _compiledFor = -1;
    private Task<Compiled>? _compiled;

    // Successes not yet reported, summed.
    private int _requests;
    private double _latencyMsTotal;
    private long _promptTokens;
    private long _completionTokens;
    private DateTimeOffset _lastReport;
    private IGrainTimer? _reportTimer;
    private bool _reporting;

    private string ModelId => this.GetPrimaryKeyString();

    private IModelGrain Model => GrainFactory.GetGrain<IModelGrain>(ModelId);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Executor of model {ModelId} could not report its last outcomes", ModelId);
        }
        DisposeCompiled(_compiled, TimeSpan.Zero);
    }

    public async Task<ModelExecutionPlan> GetPlanAsync() => await PlanAsync(forCall: false);

    public Task ForgetPlanAsync()
    {
        Lease.Forget();
        return Task.CompletedTask;
    }

    public async Task<PredictionResult> PredictAsync(byte[] inputJson, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(forCall: true);
        if (plan.Unservable is { } unservable)
        {
            return Refused(unservable);
        }
        if (await CompileAsync(plan) is not { } compiled)
        {
            return PredictionResult.Failure(PredictionOutcome.Unavailable, $"Model {plan.DisplayName} cannot load its schemas.");
        }
        if (StrictJson.Check(inputJson) is { } problem)
        {
            return PredictionResult.Failure(PredictionOutcome.ValidationError,
                problem.Kind == StrictJsonProblemKind.Syntax ? $"The input is not valid JSON: {problem.Detail}" : problem.Detail);
        }
        // The one parse of the input: validated as it is, and handed to the backend as nodes over the same document.
        using var document = JsonDocument.Parse(inputJson, StrictJson.DocumentOptions);
        if (Input(compiled, document.RootElement, index: null, out var node) is { } invalid)
        {
            return invalid;
        }
        return await RunAsync(plan, compiled, [node!], batch: false, cancellationToken);
    }

    public async Task<PredictionResult> PredictBatchAsync(byte[] bodyJson, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(forCall: true);
        if (plan.Unservable is { } unservable)
        {
            return Refused(unservable);
        }
        if (await CompileAsync(plan) is not { } compiled)
        {
            return PredictionResult.Failure(PredictionOutcome.Unavailable, $"Model {plan.DisplayName} cannot load its schemas.");
        }
        if (StrictJson.Check(bodyJson) is { } problem)
        {
            return PredictionResult.Failure(PredictionOutcome.ValidationError,
                problem.Kind == StrictJsonProblemKind.Syntax ? $"The body is not valid JSON: {problem.Detail}" : problem.Detail);
        }
        using var document = JsonDocument.Parse(bodyJson, StrictJson.DocumentOptions);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return PredictionResult.Failure(PredictionOutcome.ValidationError, "The body must be an object: {\"inputs\": [...]}.");
        }
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name != "inputs")
            {
                return PredictionResult.Failure(PredictionOutcome.ValidationError,
                    $"Unknown field '{property.Name}'. The body is {{\"inputs\": [...]}}.", property.Name);
            }
        }
        if (!root.TryGetProperty("inputs", out var items) || items.ValueKind != JsonValueKind.Array || items.GetArrayLength() == 0)
        {
            return PredictionResult.Failure(PredictionOutcome.ValidationError, "Field 'inputs' must be a non-empty array.", "inputs");
        }
        var inputs = new JsonNode[items.GetArrayLength()];
        var i = 0;
        foreach (var item in items.EnumerateArray())
        {
            if (Input(compiled, item, i, out var node) is { } invalid)
            {
                return invalid;
            }
            inputs[i++] = node!;
        }
        return await RunAsync(plan, compiled, inputs, batch: true, cancellationToken);
    }

    public async Task<EmbeddingOutcome> EmbedAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(forCall: true);
        if (plan.Unservable is { } unservable)
        {
            return new EmbeddingOutcome(unservable.Outcome, [], 0, unservable.Detail);
        }
        if (!plan.Capabilities.Contains(ModelTask.Embedding))
        {
            return new EmbeddingOutcome(PredictionOutcome.ValidationError, [], 0,
                $"Model {plan.DisplayName} does not embed (it offers {string.Join(", ", plan.Capabilities.Select(c => c.ToString().ToLowerInvariant()))}).");
        }
        if (Admit(plan) is { } refusal)
        {
            return new EmbeddingOutcome(refusal.Outcome, [], 0, refusal.Detail, refusal.RetryAfterAt(time.GetUtcNow()));
        }
        var (compiled, cannotStart) = await StartAsync(plan, cancellationToken);
        if (cannotStart is not null)
        {
            return new EmbeddingOutcome(PredictionOutcome.Unavailable, [], 0, cannotStart);
        }
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(plan.Timeout);
        using var host = HostedTarget(plan);
        try
        {
            var result = await compiled!.Backend!.EmbedAsync(inputs, timeout.Token);
            if (result.Vectors.Count != inputs.Count)
            {
                throw new ModelBackendException($"The backend returned {result.Vectors.Count} vectors for {inputs.Count} inputs.");
            }
            var tokens = result.Usage is { PromptTokens: > 0 } u ? u.PromptTokens : inputs.Sum(TokenEstimate.Of);
            await SucceededAsync(plan, inputs.Count, started, tokens);
            return new EmbeddingOutcome(PredictionOutcome.Ok, result.Vectors, tokens);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var detail = $"The model did not answer within {plan.Timeout.TotalSeconds:0.#} s.";
            await FailedAsync(plan, inputs.Count, started, detail);
            return new EmbeddingOutcome(PredictionOutcome.Timeout, [], 0, detail);
        }
        catch (OperationCanceledException)
        {
            await ReleaseTrialAsync(plan);
            throw;
        }
        catch (ModelBackendException e) when (e.InputRejected)
        {
            await ReleaseTrialAsync(plan);
            return new EmbeddingOutcome(PredictionOutcome.ValidationError, [], 0, e.RejectionDetail);
        }
        catch (PredictionInputException e)
        {
            await ReleaseTrialAsync(plan);
            return new EmbeddingOutcome(PredictionOutcome.ValidationError, [], 0, e.Message);
        }
        catch (Exception e) when (HostedRefusal(e) is { } busy)
        {
            await HostedUnavailableAsync(plan, e);
            return new EmbeddingOutcome(PredictionOutcome.Unavailable, [], 0, busy, HostedRetryAfter);
        }
        catch (Exception e) when (e is ModelBackendException or NotSupportedException)
        {
            await FailedAsync(plan, inputs.Count, started, e.Message);
            return new EmbeddingOutcome(PredictionOutcome.ModelError, [], 0, e.Message);
        }
    }

    public async IAsyncEnumerable<CompletionChunk> StreamAsync(
        CompletionRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(forCall: true);
        var refusal = plan.Unservable ?? (!plan.Capabilities.Contains(ModelTask.Chat) && !plan.Capabilities.Contains(ModelTask.Completion)
            ? new ModelRefusal(PredictionOutcome.ValidationError,
                $"Model {plan.DisplayName} does not generate text (it offers {string.Join(", ", plan.Capabilities.Select(c => c.ToString().ToLowerInvariant()))}).")
            : Admit(plan));
        if (refusal is not null)
        {
            yield return CompletionChunk.Failure(refusal.Outcome, refusal.Detail, refusal.RetryAfterAt(time.GetUtcNow()));
            yield break;
        }
        var (compiled, cannotStart) = await StartAsync(plan, cancellationToken);
        if (cannotStart is not null)
        {
            yield return CompletionChunk.Failure(PredictionOutcome.Unavailable, cannotStart);
            yield break;
        }

        var generation = new TextGenerationRequest(
            request.Messages.Select(m => new ChatMessage(m.Role, m.Content)).ToArray(), request.Prompt,
            request.MaxTokens, request.Temperature, request.TopP, request.Stop);
        var started = Stopwatch.GetTimestamp();
        await using var reader = new BackendTextStream(compiled!.Backend!, generation, plan.Timeout, cancellationToken);
        var record = request.CompletionId is { } id
            ? new CompletionRecorder(id, new CompletionStart(ModelId, request.Origin?.KeyId ?? "", request.Origin?.Owner ?? "", time.GetUtcNow(),
                request.Origin?.RequestId), recordOptions.Value.MaxRetainedTextChars)
            : null;
        using var cancellable = record is null ? null : completions.TryRegister(record.Id, reader.Cancel);
        if (record is not null && cancellable is null)
        {
            await ReleaseTrialAsync(plan);
            yield return CompletionChunk.Failure(PredictionOutcome.ValidationError, $"Completion '{record.Id}' is already known.");
            yield break;
        }
        // The record is started while the provider call starts; it exists before the caller sees anything.
        Task<BackendTextStream.Step>? first = reader.NextAsync(request.Heartbeat, time);
        if (record is not null && !await BeginAsync(record))
        {
            // Another completion has this id (ids are made by the gateway, so this is a caller's replay): stop the call.
            reader.Cancel();
            await ((Task)first).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            await ReleaseTrialAsync(plan);
            yield return CompletionChunk.Failure(PredictionOutcome.ValidationError, $"Completion '{record.Id}' is already known.");
            yield break;
        }
        CompletionChunk? last = null;
        // Counted here too, for completions without a record: the estimate when the provider does not count tokens.
        var generatedBytes = 0;
        try
        {
            while (true)
            {
                BackendTextStream.Step step;
                try
                {
                    step = await (first ?? reader.NextAsync(request.Heartbeat, time));
                    first = null;
                }
                catch (OperationCanceledException)
                {
                    // The caller went away; that says nothing about the model.
                    await ReleaseTrialAsync(plan);
                    throw;
                }
                if (step.IsQuiet)
                {
                    // The provider is thinking; the consumer hears that this silo is alive.
                    yield return CompletionChunk.Beat;
                    continue;
                }
                if (step.Failure is { } failure)
                {
                    if (step.Unexpected is { } e)
                    {
                        logger.LogError(e, "Model {ModelId} stream failed unexpectedly", ModelId);
                    }
                    if (failure.Error is PredictionOutcome.Cancelled or PredictionOutcome.ValidationError)
                    {
                        // A cancellation or an input the provider refused says nothing about the model's health.
                        await ReleaseTrialAsync(plan);
                    }
                    else
                    {
                        await FailedAsync(plan, 1, started, failure.Detail!);
                    }
                    last = failure;
                    await FinishAsync(record, request, last);
                    yield return failure;
                    yield break;
                }
                var chunk = step.Chunk!;
                if (chunk.Text.Length > 0)
                {
                    var bytes = Encoding.UTF8.GetByteCount(chunk.Text);
                    generatedBytes += bytes;
                    record?.Append(chunk.Text, bytes);
                    yield return new CompletionChunk(chunk.Text);
                }
                if (chunk.FinishReason is { } finish)
                {
                    var promptTokens = chunk.Usage is { PromptTokens: > 0 } u ? u.PromptTokens : TokenEstimate.OfPrompt(request.Messages, request.Prompt);
                    var completionTokens = chunk.Usage is { CompletionTokens: > 0 } c ? c.CompletionTokens : TokenEstimate.OfBytes(generatedBytes);
                    await SucceededAsync(plan, 1, started, promptTokens, completionTokens);
                    last = new CompletionChunk("", finish, promptTokens, completionTokens);
                    await FinishAsync(record, request, last);
                    yield return last;
                    yield break;
                }
            }
        }
        finally
        {
            if (last is null && record is not null)
            {
                // Abandoned by the caller: recorded without waiting, the caller is gone.
                Model.FinishCompletionAsync(record.End(request, null, time.GetUtcNow())).Ignore();
            }
        }
    }

    private async Task<bool> BeginAsync(CompletionRecorder record)
    {
        try
        {
            return await Model.BeginCompletionAsync(new CompletionBegin(record.Id, record.Start, completions.Control));
        }
        catch (Exception e)
        {
            // The record is a convenience; the answer still streams.
            logger.LogWarning(e, "Completion {CompletionId} of model {ModelId} could not be recorded", record.Id, ModelId);
            return true;
        }
    }

    /// <summary>Records the end before the caller hears it, so a read of the record after the last chunk finds it.</summary>
    private async Task FinishAsync(CompletionRecorder? record, CompletionRequest request, CompletionChunk last)
    {
        if (record is null)
        {
            return;
        }
        try
        {
            await Model.FinishCompletionAsync(record.End(request, last, time.GetUtcNow()));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "The end of completion {CompletionId} of model {ModelId} could not be recorded", record.Id, ModelId);
        }
    }

    public async Task FlushAsync()
    {
        if (_requests > 0)
        {
            await ReportAsync(TakeReport());
        }
    }

    private async Task<PredictionResult> RunAsync(ModelExecutionPlan plan, Compiled compiled, JsonNode[] inputs, bool batch, CancellationToken cancellationToken)
    {
        if (Admit(plan) is { } refusal)
        {
            return Refused(refusal);
        }
        var (started_, cannotStart) = await StartAsync(plan, cancellationToken);
        if (cannotStart is not null)
        {
            return PredictionResult.Failure(PredictionOutcome.Unavailable, cannotStart);
        }
        var backend = started_!.Backend!;
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(plan.Timeout);
        using var host = HostedTarget(plan);
        try
        {
            var outputs = await ModelTaskRunner.RunAsync(backend, plan.Task, inputs, _options.BatchConcurrency, timeout.Token, plan.TextField);
            var texts = new string[outputs.Count];
            for (var i = 0; i < outputs.Count; i++)
            {
                // Serialized once: the text answered is the text validated.
                texts[i] = outputs[i]?.ToJsonString() ?? "null";
                using var output = JsonDocument.Parse(texts[i]);
                if (compiled.Output.Validate(output.RootElement) is { } violation)
                {
                    var detail = $"The model's output does not match its output_schema: {violation.Detail}.";
                    await FailedAsync(plan, inputs.Length, started, detail);
                    return PredictionResult.Failure(PredictionOutcome.ModelError, detail, violation.Field, batch ? i : null);
                }
            }
            var latency = await SucceededAsync(plan, inputs.Length, started);
            return new PredictionResult(PredictionOutcome.Ok, texts, LatencyMs: latency);
        }
        catch (PredictionInputException e)
        {
            await ReleaseTrialAsync(plan);
            return PredictionResult.Failure(PredictionOutcome.ValidationError, e.Message, e.Field, e.Index);
        }
        catch (Exception e) when (HostedRefusal(e) is { } busy)
        {
            await HostedUnavailableAsync(plan, e);
            return PredictionResult.Failure(PredictionOutcome.Unavailable, busy, retryAfter: HostedRetryAfter);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var detail = $"The model did not answer within {plan.Timeout.TotalSeconds:0.#} s.";
            await FailedAsync(plan, inputs.Length, started, detail);
            return PredictionResult.Failure(PredictionOutcome.Timeout, detail);
        }
        catch (OperationCanceledException)
        {
            // The caller went away; that says nothing about the model.
            await ReleaseTrialAsync(plan);
            throw;
        }
        catch (ModelBackendException e) when (e.InputRejected)
        {
            await ReleaseTrialAsync(plan);
            return PredictionResult.Failure(PredictionOutcome.ValidationError, e.RejectionDetail);
        }
        catch (ModelBackendException e)
        {
            await FailedAsync(plan, inputs.Length, started, e.Message);
            return PredictionResult.Failure(PredictionOutcome.ModelError, e.Message);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Model {ModelId} backend failed unexpectedly", ModelId);
            var detail = $"The backend failed: {e.Message}";
            await FailedAsync(plan, inputs.Length, started, detail);
            return PredictionResult.Failure(PredictionOutcome.ModelError, detail);
        }
    }

    /// <summary>Checks one input against the input schema and gives the backend a node over the parsed element.</summary>
    private static PredictionResult? Input(Compiled compiled, JsonElement element, int? index, out JsonNode? node)
    {
        node = null;
        if (compiled.Input.Validate(element) is { } violation)
        {
            return PredictionResult.Failure(PredictionOutcome.ValidationError, violation.Detail, violation.Field, index);
        }
        node = element.ValueKind switch
        {
            JsonValueKind.Object => JsonObject.Create(element),
            JsonValueKind.Array => JsonArray.Create(element),
            JsonValueKind.Null => null,
            _ => JsonValue.Create(element),
        };
        return node is null ? PredictionResult.Failure(PredictionOutcome.ValidationError, "The input must not be null.", index: index) : null;
    }

    private PredictionResult Refused(ModelRefusal refusal) =>
        PredictionResult.Failure(refusal.Outcome, refusal.Detail, retryAfter: refusal.RetryAfterAt(time.GetUtcNow()));

    private ModelPlanLease Lease => _lease ??= new ModelPlanLease(_options.ExecutorPlanLease, time, () => Model.GetPlanAsync());

    private Task<ModelExecutionPlan> PlanAsync(bool forCall) => Lease.CurrentAsync(forCall);

    private static readonly TimeSpan HostedRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>A hosted model's runs go to the silo its model grain placed the session on (for the calls made in this scope).</summary>
    private static IDisposable? HostedTarget(ModelExecutionPlan plan) =>
        plan.Hosted is { } hosted ? Hosted.Placement.HostedModelPlacement.Target(hosted.Silo) : null;

    /// <summary>The refusal of a host that is busy or gone (503, not the model's fault), or null for any other failure.</summary>
    private static string? HostedRefusal(Exception e) => e switch
    {
        Hosted.HostedModelUnavailableException busy => busy.Message,
        Hosted.Placement.HostedPlacementException gone => $"The model's session is moving to another silo ({gone.Message}); try again shortly.",
        SiloUnavailableException => "The silo running the model's session is unavailable; the session moves to another silo once the cluster has noticed. Try again shortly.",
        _ => null,
    };

    /// <summary>Hands back a trial and has the model grain place the session again before its next plan.</summary>
    private async Task HostedUnavailableAsync(ModelExecutionPlan plan, Exception e)
    {
        logger.LogInformation("Model {ModelId} session unavailable: {Reason}", ModelId, e.Message);
        Follow(await Model.ReportAsync(TakeReport() with { TrialReleased = plan.Trial, PlacementStale = e is Hosted.Placement.HostedPlacementException or SiloUnavailableException }));
    }

    private ModelRefusal? Admit(ModelExecutionPlan plan) => Lease.Admit(plan);

    private void Follow(ModelExecutionPlan plan) => Lease.Follow(plan);

    /// <summary>Schemas for the plan's definition, compiled once per definition; null when they do not load.</summary>
    private async Task<Compiled?> CompileAsync(ModelExecutionPlan plan)
    {
        if (_compiledFor != plan.DefinitionVersion || _compiled is null || _compiled.IsFaulted)
        {
            var previous = _compiled;
            _compiledFor = plan.DefinitionVersion;
            _compiled = CompiledAsync(plan);
            DisposeCompiled(previous, plan.Timeout);
        }
        try
        {
            return await _compiled;
        }
        catch (SchemaException e)
        {
            logger.LogError(e, "Executor of model {ModelId} cannot compile its schemas", ModelId);
            return null;
        }
    }

    private static async Task<Compiled> CompiledAsync(ModelExecutionPlan plan) =>
        new(await ModelSchema.ParseAsync(plan.InputSchema), await ModelSchema.ParseAsync(plan.OutputSchema));

    /// <summary>The backend for an admitted call, started on first use, or why it cannot start (reported to the grain).</summary>
    private async Task<(Compiled? Compiled, string? CannotStart)> StartAsync(ModelExecutionPlan plan, CancellationToken cancellationToken)
    {
        var compiled = (await CompileAsync(plan))!;
        try
        {
            await compiled.StartAsync(() => CreateBackendAsync(plan));
            return (compiled, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Follow(await Model.ReportAsync(TakeReport() with { BackendError = e.Message }));
            return (null, $"Model {plan.DisplayName} cannot start: {e.Message}");
        }
    }

    private Task<ModelBackend> CreateBackendAsync(ModelExecutionPlan plan) =>
        backends.StartAsync(plan.Provider, ModelId, new ModelConfig(secrets.Reveal(JsonNode.Parse(plan.StoredConfig) as JsonObject ?? new JsonObject())),
            plan.Timeout, plan.MaxRetries, plan.Http2PriorKnowledge,
            plan.TargetsSetByAdmin ? Outbound.OutboundTrust.Trusted : Outbound.OutboundTrust.Restricted, plan.Hosted?.Session);

    private async Task<double> SucceededAsync(ModelExecutionPlan plan, int requests, long started, long promptTokens = 0, long completionTokens = 0)
    {
        var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        _requests += requests;
        _latencyMsTotal += latency * requests;
        _promptTokens += promptTokens;
        _completionTokens += completionTokens;
        if (plan.Trial)
        {
            // The trial's success closes the breaker: reported now, so the next call is let through at once.
            Follow(await Model.ReportAsync(TakeReport()));
        }
        else
        {
            ScheduleReport();
        }
        return latency;
    }

    /// <summary>Reports a failure with the successes before it, before its answer returns; follows the plan it gets back.</summary>
    private async Task FailedAsync(ModelExecutionPlan plan, int requests, long started, string detail)
    {
        var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Follow(await Model.ReportAsync(TakeReport() with { FailedRequests = requests, FailedLatencyMs = latency, Failure = detail }));
    }

    private async Task ReleaseTrialAsync(ModelExecutionPlan plan)
    {
        if (plan.Trial)
        {
            Follow(await Model.ReportAsync(TakeReport() with { TrialReleased = true }));
        }
    }

    private ModelOutcomeReport TakeReport()
    {
        var report = new ModelOutcomeReport(_requests, _latencyMsTotal, _promptTokens, _completionTokens);
        _requests = 0;
        _latencyMsTotal = 0;
        _promptTokens = 0;
        _completionTokens = 0;
        _lastReport = time.GetUtcNow();
        return report;
    }

    private async Task ReportAsync(ModelOutcomeReport report) => Follow(await Model.ReportAsync(report));

    /// <summary>
    /// Successes go to the model grain in batches: one report in flight per executor at a time, and what finishes
    /// meanwhile goes with the next one, so the batch grows with the load and the model grain sees at most one report
    /// per executor per round trip; <see cref="ModelGrainOptions.ExecutorReportInterval"/> sets a floor between two.
    /// A quiet model's counts are current as soon as its call has answered.
    /// </summary>
    private void ScheduleReport()
    {
        if (_reporting || _reportTimer is not null)
        {
            return;
        }
        var due = _lastReport + _options.ExecutorReportInterval - time.GetUtcNow();
        if (due <= TimeSpan.Zero)
        {
            _ = ReportNowAsync();
            return;
        }
        _reportTimer = this.RegisterGrainTimer(async _ =>
            {
                _reportTimer?.Dispose();
                _reportTimer = null;
                await ReportNowAsync();
            },
            new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = false, Interleave = true });
    }

    private async Task ReportNowAsync()
    {
        if (_reporting)
        {
            return;
        }
        _reporting = true;
        try
        {
            while (_requests > 0)
            {
                var report = TakeReport();
                try
                {
                    await ReportAsync(report);
                }
                catch (Exception e)
                {
                    // Counters are a record, not a decision; a lost report is logged rather than retried forever.
                    logger.LogWarning(e, "Executor of model {ModelId} could not report {Requests} calls", ModelId, report.Requests);
                    break;
                }
                if (_options.ExecutorReportInterval > TimeSpan.Zero)
                {
                    break;
                }
            }
        }
        finally
        {
            _reporting = false;
        }
        if (_requests > 0)
        {
            ScheduleReport();
        }
    }

    private static void DisposeCompiled(Task<Compiled>? compiled, TimeSpan grace)
    {
        if (compiled is { IsCompletedSuccessfully: true } && compiled.GetAwaiter().GetResult().Backend is { } backend)
        {
            // Calls still running on the old backend finish first (they are bounded by the model's timeout).
            ModelBackendRegistry.Retire(backend, grace);
        }
    }

    /// <summary>One definition's compiled schemas and, once a call is admitted, its backend.</summary>
    private sealed class Compiled(ModelSchema input, ModelSchema output)
    {
        private Task? _starting;

        public ModelSchema Input { get; } = input;

        public ModelSchema Output { get; } = output;

        public ModelBackend? Backend { get; private set; }

        /// <summary>Starts the backend once; a start that failed is tried again by the next call.</summary>
        public Task StartAsync(Func<Task<ModelBackend>> create)
        {
            if (_starting is { IsFaulted: true } or { IsCanceled: true })
            {
                _starting = null;
            }
            return _starting ??= StartCoreAsync(create);
        }

        private async Task StartCoreAsync(Func<Task<ModelBackend>> create) => Backend = await create();
    }
}
