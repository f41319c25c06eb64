using Mcp.Cluster.Catalogs;
using Mcp.Cluster.Changes;
using Mcp.Cluster.DataSources.Caching;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Query;
using Mcp.Cluster.Models.Secrets;
using Mcp.Cluster.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// One data source: the decisions about it. It owns the definition and hands executors
/// (<see cref="Execution.DataSourceExecutorGrain"/>, one per silo) the <see cref="DataSourcePolicy"/> they run reads
/// under; per read it is only asked to admit a key under a quota or a raw SQL statement (<see cref="AdmitAsync"/>,
/// <see cref="AdmitSqlAsync"/>: one turn, so exact however many executors ask at once); counters arrive in batches
/// (<see cref="ReportAsync"/>). The concerns are plain classes it builds per activation and only touches on its own
/// scheduler: <see cref="DataSourceGrants"/> (who may read what), <see cref="DataQuotaLedger"/> and
/// <see cref="RawSqlSlots"/> (admission), <see cref="ActiveReadsBySilo"/>, <see cref="SchemaDiscovery"/>,
/// <see cref="DataSourceHealthLoop"/>, <see cref="DataSourceConnection"/> (its connector),
/// <see cref="DataSourcePolicyIssuer"/> and <see cref="DataSourceStateWriter"/>. The interleaved calls change only
/// in-memory counters, never objects the storage provider may be serializing; the writer copies them into the
/// persisted state from the non-interleaved flush timer and admin methods, the only places that write state.
/// </summary>
[GrainType("datasource")]
public sealed class DataSourceGrain(
    [PersistentState("datasource", StorageNames.Default)] IPersistentState<DataSourceState> source,
    DataConnectorFactory connectors,
    ModelSecretProtector secrets,
    DataQueryCache cache,
    Execution.DataSourceRuntime runtime,
    IOptions<DataSourceGrainOptions> options,
    IOptions<QueryLimits> queryLimits,
    Telemetry.McpMetrics metrics,
    TimeProvider time,
    ILogger<DataSourceGrain> logger) : Grain, IDataSourceGrain, IRemindable
{
    private const string KeepAliveReminder = "keep-alive";

    private readonly DataSourceGrainOptions _options = options.Value;
    private readonly DataSourcePolicyIssuer _policy = new();
    private DataSourceConnection _connection = null!;
    private DataSourceGrants _grants = null!;
    private DataQuotaLedger _ledger = null!;
    private DataQuestionExamples _examples = null!;
    private RawSqlSlots _sqlSlots = null!;
    private ReadAdmissions _admissions = null!;
    private ActiveReadsBySilo _activeReads = null!;
    private DataSourceStateWriter _writer = null!;
    private SchemaDiscovery _discovery = null!;
    private DataSourceHealthLoop _health = null!;
    private IGrainTimer? _healthTimer;
    private IGrainTimer? _flushTimer;
    private IGrainTimer? _refreshTimer;

    private string Name => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var name = Name;
        _connection = new DataSourceConnection(name, connectors, secrets, _options, time, logger);
        _grants = new DataSourceGrants(name, () => source.State, _options, queryLimits.Value, time);
        _ledger = new DataQuotaLedger(name, time);
        _examples = new DataQuestionExamples(() => source.State, time);
        _sqlSlots = new RawSqlSlots(name, _options);
        _admissions = new ReadAdmissions(name, () => source.State, _grants, _ledger, _sqlSlots);
        _activeReads = new ActiveReadsBySilo(_options, time);
        _writer = new DataSourceStateWriter(name, source, _ledger, logger);
        _discovery = new SchemaDiscovery(name, () => source.State, _connection, _policy, _writer, _options, queryLimits.Value, time, logger);
        _health = new DataSourceHealthLoop(name, () => source.State, () => source.RecordExists, _connection, _discovery, _options, time, logger);
        if (!source.RecordExists)
        {
            return;
        }
        _ledger.Load(source.State);
        if (_connection.TryBuild(source.State.Type, DataSourceConnection.Stored(source.State)))
        {
            _policy.Changed();
        }
        StartTimers();
        await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _writer.FlushIfDirtyAsync();
        await _connection.DisposeAsync();
        metrics.BackendHealth("datasource", Name, null);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    public async Task<DataCommandResult> RegisterAsync(DataSourceDefinition definition, string createdBy)
    {
        if (source.RecordExists)
        {
            return new DataCommandResult(DataCommandOutcome.Conflict, Detail: $"Data source '{Name}' already exists.", Field: "name");
        }
        if (_connection.TryPrepare(definition.Type, () => _connection.Protect(definition.ConfigJson), out var stored, out var connector) is { } problem)
        {
            return problem;
        }
        if (DataSourceGrants.ValidateMasks(definition.Masks) is { } maskProblem)
        {
            await connector.DisposeAsync();
            return DataCommandResult.Invalid(maskProblem, "masks");
        }

        source.State = DataSourceDefinitions.NewState(definition, stored, createdBy, time.GetUtcNow());
        _connection.Use(connector);
        _policy.Changed();
        // A source that is down at registration is still registered (in error); its health loop picks it up.
        await _discovery.DiscoverOnceAsync();
        await _writer.PersistAsync();
        await GrainFactory.GetGrain<INameCatalogGrain>(NameCatalogs.DataSources).AddAsync(Name);
        await AnnounceChangeAsync();
        StartTimers();
        await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        logger.LogInformation("Data source {Source} ({Type}) registered by {CreatedBy}; {Tables} tables discovered",
            Name, definition.Type, createdBy, source.State.Tables.Count);
        return DataCommandResult.Ok(ToInfo());
    }

    public Task<DataSourceInfo?> GetAsync() => Task.FromResult(Exists() ? ToInfo() : null);

    public async Task<DataCommandResult> UpdateAsync(DataSourcePatch patch, string updatedBy)
    {
        if (!Exists())
        {
            return DataCommandResult.NotFound;
        }
        var s = source.State;
        DataConnector? replacement = null;
        System.Text.Json.Nodes.JsonObject? stored = null;
        if (patch.ConfigMergePatch is { } configPatch
            && _connection.TryPrepare(s.Type, () => _connection.Patch(DataSourceConnection.Stored(s), configPatch), out stored, out replacement) is { } problem)
        {
            return problem;
        }
        if (patch.Masks is { } masks && DataSourceGrants.ValidateMasks(masks) is { } maskProblem)
        {
            if (replacement is not null)
            {
                await replacement.DisposeAsync();
            }
            return DataCommandResult.Invalid(maskProblem, "masks");
        }

        DataSourceDefinitions.Apply(s, patch, time.GetUtcNow());
        _policy.Changed();
        if (replacement is not null)
        {
            s.StoredConfig = stored!.ToJsonString();
            _connection.Use(replacement);
            _health.Reset();
            await _discovery.DiscoverOnceAsync();
        }
        await _writer.PersistAsync();
        PublishHealth();
        await cache.InvalidateAsync(Name);
        await AnnounceChangeAsync();
        StartTimers();
        logger.LogInformation("Data source {Source} updated by {UpdatedBy}", Name, updatedBy);
        return DataCommandResult.Ok(ToInfo());
    }

    public async Task<bool> DeleteAsync(string deletedBy)
    {
        if (!Exists())
        {
            return false;
        }
        await source.ClearStateAsync();
        metrics.BackendHealth("datasource", Name, null);
        source.State = new DataSourceState();
        _policy.Changed();
        _ledger.Clear();
        _writer.Forget();
        await GrainFactory.GetGrain<INameCatalogGrain>(NameCatalogs.DataSources).RemoveAsync(Name);
        await cache.InvalidateAsync(Name);
        await Insights.DataSourceCompanions.ForgetAsync(GrainFactory, Name, logger);
        await AnnounceChangeAsync();
        if (await this.GetReminder(KeepAliveReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
        logger.LogInformation("Data source {Source} deleted by {DeletedBy}", Name, deletedBy);
        DeactivateOnIdle();
        return true;
    }

    public async Task<DataSourceSchema?> GetSchemaAsync(DataCaller caller)
    {
        if (!Exists() || _grants.Resolve(caller).Access is not { } access)
        {
            return null;
        }
        return _grants.VisibleSchema(access, await _discovery.EnsureAsync() ?? []);
    }

    public async Task<DataExampleResult> AddExampleAsync(string question, DataQuery query, string createdBy)
    {
        if (!Exists())
        {
            return new DataExampleResult(DataCommandOutcome.NotFound, Detail: DataCommandResult.NotFound.Detail);
        }
        await _discovery.EnsureAsync();
        var (example, problem) = _examples.Add(question, query, createdBy, _connection.Connector, queryLimits.Value);
        if (example is null)
        {
            return new DataExampleResult(problem!.Outcome, Detail: problem.Detail, Field: problem.Field);
        }
        await ChangedAsync();
        logger.LogInformation("Data source {Source} was taught example {Example} by {CreatedBy}", Name, example.Id, createdBy);
        return new DataExampleResult(DataCommandOutcome.Ok, example);
    }

    public Task<IReadOnlyList<DataQuestionExample>?> GetExamplesAsync() =>
        Task.FromResult<IReadOnlyList<DataQuestionExample>?>(Exists() ? source.State.Examples.ToArray() : null);

    public async Task<bool> RemoveExampleAsync(string id, string removedBy)
    {
        if (!Exists() || !_examples.Remove(id))
        {
            return false;
        }
        await ChangedAsync();
        logger.LogInformation("Data source {Source} forgot example {Example} ({RemovedBy})", Name, id, removedBy);
        return true;
    }

    public Task<DataSourceStatusReport?> GetStatusAsync()
    {
        if (!Exists())
        {
            return Task.FromResult<DataSourceStatusReport?>(null);
        }
        var (s, t) = (source.State, _ledger.Totals);
        return Task.FromResult<DataSourceStatusReport?>(new DataSourceStatusReport(
            Name, Status, _health.Healthy, _health.LastCheckedAt, _health.LastCheckMs, _connection.Error ?? _discovery.Error ?? _health.LastError,
            s.SchemaRefreshedAt, s.Tables.Count, s.Generation, t.Queries, t.Denied, t.Failed, t.Rows, t.CacheHits, t.CacheMisses));
    }

    public async Task<DataCommandResult> RefreshAsync(string requestedBy)
    {
        if (!Exists())
        {
            return DataCommandResult.NotFound;
        }
        var error = await _discovery.DiscoverOnceAsync();
        source.State.Generation++;
        _policy.Changed();
        await _writer.PersistAsync();
        await cache.InvalidateAsync(Name);
        await AnnounceChangeAsync();
        logger.LogInformation("Data source {Source} refreshed by {RequestedBy}: {Outcome}", Name, requestedBy, error ?? "ok");
        return error is null
            ? DataCommandResult.Ok(ToInfo())
            : new DataCommandResult(DataCommandOutcome.Invalid, ToInfo(), $"Schema discovery failed: {error}");
    }

    public Task<bool> CanReadAsync(DataCaller caller) => Task.FromResult(Exists() && _grants.CanRead(caller));

    public async Task<DataCommandResult> SetGrantAsync(string subject, DataGrant grant, string updatedBy)
    {
        if (!Exists())
        {
            return DataCommandResult.NotFound;
        }
        if (_grants.LimitProblem(subject) is { } full)
        {
            return DataCommandResult.Invalid(full, "subject");
        }
        if (_grants.Validate(grant, await _discovery.EnsureAsync()) is { } problem)
        {
            return DataCommandResult.Invalid(problem.Detail, problem.Field);
        }
        _grants.Set(subject, grant, updatedBy);
        await ChangedAsync();
        logger.LogInformation("Grant on data source {Source} for {Subject} set by {UpdatedBy}", Name, subject, updatedBy);
        return DataCommandResult.Ok(ToInfo());
    }

    public async Task<bool> RemoveGrantAsync(string subject, string updatedBy)
    {
        if (!source.RecordExists || !_grants.Remove(subject))
        {
            return false;
        }
        await ChangedAsync();
        logger.LogInformation("Grant on data source {Source} for {Subject} removed by {UpdatedBy}", Name, subject, updatedBy);
        return true;
    }

    public Task<IReadOnlyList<DataGrantEntry>?> GetGrantsAsync() => Task.FromResult(source.RecordExists ? _grants.List() : null);

    public Task<DataSourceUsage?> GetUsageAsync(string keyId, string owner) => Task.FromResult(Exists()
        ? _ledger.Usage(keyId, _grants.Resolve(new DataCaller(keyId, owner, IsAdmin: false)).Access?.Quotas ?? source.State.DefaultQuotas)
        : null);

    public Task<int> GetActiveQueriesAsync() => Task.FromResult(_activeReads.Count());

    public Task<DataQueryResult> QueryAsync(DataQuery query, DataCaller caller) =>
        GrainFactory.GetGrain<IDataSourceExecutorGrain>(Name).QueryAsync(query, caller);

    public Task<DataQueryResult> ExecuteSqlAsync(string sql, int? maxRows, DataCaller caller) =>
        GrainFactory.GetGrain<IDataSourceExecutorGrain>(Name).ExecuteSqlAsync(sql, maxRows, caller);

    // ---- what executors are handed and ask for ----

    public async Task<DataSourcePolicy?> GetPolicyAsync(string? knownVersion, bool discover)
    {
        if (!Exists())
        {
            return knownVersion == _policy.Version ? null : _policy.Missing(Name, time.GetUtcNow());
        }
        if (discover && source.State.SchemaRefreshedAt is null && _connection.Connector is not null)
        {
            await _discovery.DiscoverOnceAsync();
        }
        return knownVersion == _policy.Version
            ? null
            : _policy.Issue(Name, source.State, _connection.Error, _discovery.Error, time.GetUtcNow());
    }

    // No await in the admissions: the check and the counters it changes happen in one turn, so admissions from
    // executors on every silo, interleaved here, are exact.
    public Task<DataAdmission> AdmitAsync(DataCaller caller, int wanted) =>
        Task.FromResult(Exists() ? _admissions.Admit(caller, wanted) : _admissions.Missing);

    public Task<DataAdmission> AdmitSqlAsync(DataCaller caller, int wanted) =>
        Task.FromResult(Exists() ? _admissions.AdmitSql(caller, wanted) : _admissions.Missing);

    public Task SettleAsync(string keyId, int reserved, int rows)
    {
        if (source.RecordExists) _ledger.Settle(keyId, reserved, rows);
        return Task.CompletedTask;
    }

    public Task ReleaseSqlSlotAsync(string keyId)
    {
        _sqlSlots.Release(keyId);
        return Task.CompletedTask;
    }

    public Task ReportAsync(DataUsageReport report)
    {
        _activeReads.Reported(report);
        if (source.RecordExists) _ledger.Apply(report);
        return Task.CompletedTask;
    }

    // ---- status, timers, announcements ----

    /// <summary>Whether the source is registered; an activation for a name that is not goes away once idle.</summary>
    private bool Exists()
    {
        if (!source.RecordExists)
        {
            DeactivateOnIdle();
        }
        return source.RecordExists;
    }

    private DataSourceStatus Status =>
        source.State.Disabled ? DataSourceStatus.Disabled
        : _connection.Error is not null || _discovery.Error is not null || _health.Unhealthy ? DataSourceStatus.Error
        : source.State.SchemaRefreshedAt is null ? DataSourceStatus.Registered
        : DataSourceStatus.Active;

    /// <summary>The source's health on this process's <c>mcp_backend_up</c> gauge (absent while disabled or not yet checked).</summary>
    private void PublishHealth() => metrics.BackendHealth("datasource", Name, source.RecordExists
        ? Status switch { DataSourceStatus.Active => true, DataSourceStatus.Error => false, _ => null }
        : null);

    /// <summary>A grant changed: a new policy, written at once, announced to every executor.</summary>
    private async Task ChangedAsync()
    {
        _policy.Changed();
        await _writer.PersistAsync();
        await AnnounceChangeAsync();
    }

    /// <summary>
    /// Tells every silo's executors (the change stream) and, at once, this silo's (the stream is asynchronous: a read
    /// right after the change, on this silo, must already see it). The gateway does the same for its own silo.
    /// </summary>
    private async Task AnnounceChangeAsync()
    {
        runtime.Invalidate(Name);
        await this.PublishAsync(CatalogChangeKind.DataSource, Name, time, logger);
    }

    private void StartTimers()
    {
        _healthTimer ??= this.RegisterGrainTimer(static (grain, _) => grain.CheckHealthAsync(), this,
            new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), _options.HealthCheckInterval) { KeepAlive = false, Interleave = true });
        _flushTimer ??= this.RegisterGrainTimer(static (grain, _) => grain._writer.FlushIfDirtyAsync(), this,
            new GrainTimerCreationOptions(_options.UsageFlushInterval, _options.UsageFlushInterval) { KeepAlive = false });
        _refreshTimer?.Dispose();
        _refreshTimer = source.State.RefreshInterval is { } every && every > TimeSpan.Zero
            ? this.RegisterGrainTimer(static (grain, _) => grain.PeriodicRefreshAsync(), this,
                new GrainTimerCreationOptions(every, every) { KeepAlive = false, Interleave = true })
            : null;
    }

    private async Task CheckHealthAsync()
    {
        if (await _health.CheckAsync())
        {
            PublishHealth();
        }
    }

    private async Task PeriodicRefreshAsync()
    {
        if (await _discovery.RefreshAsync())
        {
            await cache.InvalidateAsync(Name);
            await AnnounceChangeAsync();
            logger.LogInformation("Data source {Source} changed its schema; cached results dropped", Name);
        }
    }

    private DataSourceInfo ToInfo() => DataSourceDefinitions.Info(Name, source.State, Status);
}
