using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Catalogs;
using Mcp.Cluster.Changes;
using Mcp.Cluster.DataSources.Caching;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Governance;
using Mcp.Cluster.DataSources.Query;
using Mcp.Cluster.Models.Backends;
using Mcp.Cluster.Models.Secrets;
using Mcp.Cluster.Models;
using Mcp.Cluster.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// One data source: it decides. It owns the definition, the grants, the discovered schema, the health loop and each
/// key's quota counters, and hands executors (<see cref="Execution.DataSourceExecutorGrain"/>, one per silo) the
/// <see cref="DataSourcePolicy"/> they run reads under. Per read it is only asked to admit a key under a quota or a raw
/// SQL statement (<see cref="AdmitAsync"/>, <see cref="AdmitSqlAsync"/>: one turn, so exact however many executors ask at
/// once); counters arrive in batches (<see cref="ReportAsync"/>). Those calls interleave and change only in-memory
/// counters, never objects the storage provider may be serializing; the counters are copied into the persisted state
/// by the non-interleaved flush timer and by the non-interleaved admin methods, which are the only places that write state.
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
    private readonly QueryLimits _limits = queryLimits.Value;

    private DataConnector? _connector;
    private string? _connectorError;
    private Task<string?>? _discovery;
    private string? _discoveryError;
    private readonly Dictionary<string, (int Active, DateTimeOffset At)> _activeBySilo = new(StringComparer.Ordinal);
    private readonly string _activationTag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    private long _policyRevision;
    private int _runningSql;
    private readonly Dictionary<string, int> _runningSqlByKey = new(StringComparer.Ordinal);

    private bool? _healthy;
    private int _healthFailures;
    private DateTimeOffset? _lastCheckedAt;
    private double? _lastCheckMs;
    private string? _lastHealthError;

    private Dictionary<string, DataUsageCounters> _usage = new(StringComparer.Ordinal);
    private DataSourceTotals _totals = new();
    private bool _dirty;
    private IGrainTimer? _healthTimer;
    private IGrainTimer? _flushTimer;
    private IGrainTimer? _refreshTimer;

    private string Name => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!source.RecordExists)
        {
            return;
        }
        _usage = source.State.Usage.ToDictionary(e => e.Key, e => Copy(e.Value), StringComparer.Ordinal);
        _totals = Copy(source.State.Totals);
        BuildConnector(StoredConfig());
        StartTimers();
        await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty && source.RecordExists)
        {
            await FlushAsync();
        }
        if (_connector is { } connector)
        {
            await connector.DisposeAsync();
        }
        metrics.BackendHealth("datasource", Name, null);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    public async Task<DataCommandResult> RegisterAsync(DataSourceDefinition definition, string createdBy)
    {
        if (source.RecordExists)
        {
            return new DataCommandResult(DataCommandOutcome.Conflict, Detail: $"Data source '{Name}' already exists.", Field: "name");
        }
        JsonObject stored;
        DataConnector connector;
        try
        {
            stored = secrets.Protect(ParseConfig(definition.ConfigJson));
            connector = connectors.Create(definition.Type, secrets.Reveal(stored), _options.QueryTimeout);
        }
        catch (ModelConfigException e)
        {
            return DataCommandResult.Invalid(e.Message, e.Field);
        }
        catch (DataSourceConfigException e)
        {
            return DataCommandResult.Invalid(e.Message, e.Field);
        }
        if (ValidateMasks(definition.Masks) is { } maskProblem)
        {
            await connector.DisposeAsync();
            return DataCommandResult.Invalid(maskProblem, "masks");
        }

        var now = time.GetUtcNow();
        source.State = new DataSourceState
        {
            Type = definition.Type,
            Description = definition.Description,
            StoredConfig = stored.ToJsonString(),
            DefaultAccess = definition.DefaultAccess,
            Masks = new Dictionary<string, MaskKind>(definition.Masks, StringComparer.Ordinal),
            DefaultQuotas = definition.DefaultQuotas,
            CacheTtl = definition.CacheTtl,
            RefreshInterval = definition.RefreshInterval,
            CreatedAt = now,
            UpdatedAt = now,
            CreatedBy = createdBy,
            Generation = 1,
            HashSalt = RandomNumberGenerator.GetBytes(32),
            CacheScope = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
        };
        _connector = connector;
        _connectorError = null;
        PolicyChanged();
        // A source that is down at registration is still registered (in error); its health loop picks it up.
        await DiscoverOnceAsync();
        await PersistAsync();
        await GrainFactory.GetGrain<INameCatalogGrain>(NameCatalogs.DataSources).AddAsync(Name);
        await AnnounceChangeAsync();
        StartTimers();
        await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        logger.LogInformation("Data source {Source} ({Type}) registered by {CreatedBy}; {Tables} tables discovered",
            Name, definition.Type, createdBy, source.State.Tables.Count);
        return DataCommandResult.Ok(ToInfo());
    }

    public Task<DataSourceInfo?> GetAsync()
    {
        if (!source.RecordExists)
        {
            DeactivateOnIdle();
            return Task.FromResult<DataSourceInfo?>(null);
        }
        return Task.FromResult<DataSourceInfo?>(ToInfo());
    }

    public async Task<DataCommandResult> UpdateAsync(DataSourcePatch patch, string updatedBy)
    {
        if (!source.RecordExists)
        {
            DeactivateOnIdle();
            return DataCommandResult.NotFound;
        }
        var s = source.State;
        DataConnector? replacement = null;
        JsonObject? stored = null;
        if (patch.ConfigMergePatch is { } configPatch)
        {
            try
            {
                var current = StoredConfig();
                var protectedPatch = secrets.Protect(ParseConfig(configPatch), previous: current);
                stored = JsonMergePatch.Apply(current, protectedPatch) as JsonObject ?? new JsonObject();
                replacement = connectors.Create(s.Type, secrets.Reveal(stored), _options.QueryTimeout);
            }
            catch (ModelConfigException e)
            {
                return DataCommandResult.Invalid(e.Message, e.Field);
            }
            catch (DataSourceConfigException e)
            {
                return DataCommandResult.Invalid(e.Message, e.Field);
            }
        }
        if (patch.Masks is { } masks && ValidateMasks(masks) is { } maskProblem)
        {
            if (replacement is not null)
            {
                await replacement.DisposeAsync();
            }
            return DataCommandResult.Invalid(maskProblem, "masks");
        }

        if (patch.Description is { } description) s.Description = description;
        if (patch.DefaultAccess is { } access) s.DefaultAccess = access;
        if (patch.Masks is { } newMasks) s.Masks = new Dictionary<string, MaskKind>(newMasks, StringComparer.Ordinal);
        if (patch.DefaultQuotas is { } quotas) s.DefaultQuotas = quotas;
        if (patch.CacheTtl is { } ttl) s.CacheTtl = ttl;
        if (patch.SetRefreshInterval) s.RefreshInterval = patch.RefreshInterval;
        if (patch.Disabled is { } disabled) s.Disabled = disabled;
        s.UpdatedAt = time.GetUtcNow();
        // Any change can alter what a cached result should contain; start a new generation.
        s.Generation++;
        PolicyChanged();
        if (replacement is not null)
        {
            s.StoredConfig = stored!.ToJsonString();
            RetireConnector();
            _connector = replacement;
            _connectorError = null;
            _healthy = null;
            _healthFailures = 0;
            await DiscoverOnceAsync();
        }
        await PersistAsync();
        PublishHealth();
        await cache.InvalidateAsync(Name);
        await AnnounceChangeAsync();
        StartTimers();
        logger.LogInformation("Data source {Source} updated by {UpdatedBy}", Name, updatedBy);
        return DataCommandResult.Ok(ToInfo());
    }

    public async Task<bool> DeleteAsync(string deletedBy)
    {
        if (!source.RecordExists)
        {
            DeactivateOnIdle();
            return false;
        }
        await source.ClearStateAsync();
        metrics.BackendHealth("datasource", Name, null);
        source.State = new DataSourceState();
        PolicyChanged();
        _usage.Clear();
        _totals = new DataSourceTotals();
        _dirty = false;
        await GrainFactory.GetGrain<INameCatalogGrain>(NameCatalogs.DataSources).RemoveAsync(Name);
        await cache.InvalidateAsync(Name);
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
        if (!source.RecordExists)
        {
            DeactivateOnIdle();
            return null;
        }
        var (access, _) = ResolveAccess(caller);
        if (access is null)
        {
            return null;
        }
        var tables = await EnsureSchemaAsync() ?? [];
        var visible = new List<TableSchema>();
        var masks = new SortedDictionary<string, MaskKind>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            if (access.ForTable(table) is not { } policy)
            {
                continue;
            }
            visible.Add(table with { Columns = policy.VisibleColumns });
            foreach (var (field, kind) in policy.Masks)
            {
                masks[$"{table.Name}.{field}"] = kind;
            }
        }
        return new DataSourceSchema(Name, source.State.SchemaRefreshedAt, source.State.Generation, visible, masks);
    }

    public Task<DataSourceStatusReport?> GetStatusAsync()
    {
        if (!source.RecordExists)
        {
            DeactivateOnIdle();
            return Task.FromResult<DataSourceStatusReport?>(null);
        }
        var s = source.State;
        return Task.FromResult<DataSourceStatusReport?>(new DataSourceStatusReport(
            Name, Status, _healthy, _lastCheckedAt, _lastCheckMs, _connectorError ?? _discoveryError ?? _lastHealthError,
            s.SchemaRefreshedAt, s.Tables.Count, s.Generation, _totals.Queries, _totals.Denied, _totals.Failed, _totals.Rows,
            _totals.CacheHits, _totals.CacheMisses));
    }

    public async Task<DataCommandResult> RefreshAsync(string requestedBy)
    {
        if (!source.RecordExists)
        {
            DeactivateOnIdle();
            return DataCommandResult.NotFound;
        }
        var error = await DiscoverOnceAsync();
        source.State.Generation++;
        PolicyChanged();
        await PersistAsync();
        await cache.InvalidateAsync(Name);
        await AnnounceChangeAsync();
        logger.LogInformation("Data source {Source} refreshed by {RequestedBy}: {Outcome}", Name, requestedBy, error ?? "ok");
        return error is null
            ? DataCommandResult.Ok(ToInfo())
            : new DataCommandResult(DataCommandOutcome.Invalid, ToInfo(), $"Schema discovery failed: {error}");
    }

    public Task<bool> CanReadAsync(DataCaller caller)
    {
        if (!source.RecordExists)
        {
            DeactivateOnIdle();
            return Task.FromResult(false);
        }
        var (access, _) = ResolveAccess(caller);
        return Task.FromResult(access is not null && (source.State.Tables.Count == 0 || source.State.Tables.Any(t => access.ForTable(t) is not null)));
    }

    public async Task<DataCommandResult> SetGrantAsync(string subject, DataGrant grant, string updatedBy)
    {
        if (!source.RecordExists)
        {
            DeactivateOnIdle();
            return DataCommandResult.NotFound;
        }
        var s = source.State;
        if (!s.Grants.ContainsKey(subject) && s.Grants.Count >= _options.MaxGrants)
        {
            return DataCommandResult.Invalid($"A source holds at most {_options.MaxGrants} grants.", "subject");
        }
        var tables = await EnsureSchemaAsync();
        if (GrantValidator.Validate(grant, tables, _limits) is { } problem)
        {
            return DataCommandResult.Invalid(problem.Detail, problem.Field);
        }
        s.Grants[subject] = new DataGrantEntry(subject, grant, time.GetUtcNow(), updatedBy);
        PolicyChanged();
        await PersistAsync();
        await AnnounceChangeAsync();
        logger.LogInformation("Grant on data source {Source} for {Subject} set by {UpdatedBy}", Name, subject, updatedBy);
        return DataCommandResult.Ok(ToInfo());
    }

    public async Task<bool> RemoveGrantAsync(string subject, string updatedBy)
    {
        if (!source.RecordExists || !source.State.Grants.Remove(subject))
        {
            return false;
        }
        PolicyChanged();
        await PersistAsync();
        await AnnounceChangeAsync();
        logger.LogInformation("Grant on data source {Source} for {Subject} removed by {UpdatedBy}", Name, subject, updatedBy);
        return true;
    }

    public Task<IReadOnlyList<DataGrantEntry>?> GetGrantsAsync() =>
        Task.FromResult<IReadOnlyList<DataGrantEntry>?>(source.RecordExists
            ? source.State.Grants.Values.OrderBy(g => g.Subject, StringComparer.Ordinal).ToArray()
            : null);

    public Task<DataSourceUsage?> GetUsageAsync(string keyId, string owner)
    {
        if (!source.RecordExists)
        {
            DeactivateOnIdle();
            return Task.FromResult<DataSourceUsage?>(null);
        }
        var (access, _) = ResolveAccess(new DataCaller(keyId, owner, IsAdmin: false));
        var today = Today;
        var u = _usage.GetValueOrDefault(keyId);
        var current = u is not null && u.Day == today;
        return Task.FromResult<DataSourceUsage?>(new DataSourceUsage(Name, keyId, today,
            current ? u!.QueriesToday : 0, current ? u!.RowsToday : 0, u?.TotalQueries ?? 0, u?.TotalRows ?? 0, u?.Denied ?? 0,
            access?.Quotas ?? source.State.DefaultQuotas));
    }

    public Task<int> GetActiveQueriesAsync()
    {
        // A silo that stopped reporting (it died, or its reads ended and it said so) counts no longer.
        var now = time.GetUtcNow();
        var horizon = _options.UsageReportInterval * 3 + TimeSpan.FromSeconds(1);
        foreach (var gone in _activeBySilo.Where(e => now - e.Value.At > horizon).Select(e => e.Key).ToArray())
        {
            _activeBySilo.Remove(gone);
        }
        return Task.FromResult(_activeBySilo.Values.Sum(v => v.Active));
    }

    public Task<DataQueryResult> QueryAsync(DataQuery query, DataCaller caller) =>
        GrainFactory.GetGrain<IDataSourceExecutorGrain>(Name).QueryAsync(query, caller);

    public Task<DataQueryResult> ExecuteSqlAsync(string sql, int? maxRows, DataCaller caller) =>
        GrainFactory.GetGrain<IDataSourceExecutorGrain>(Name).ExecuteSqlAsync(sql, maxRows, caller);

    // ---- what executors are handed and ask for ----

    public async Task<DataSourcePolicy?> GetPolicyAsync(string? knownVersion, bool discover)
    {
        if (!source.RecordExists)
        {
            DeactivateOnIdle();
            return knownVersion == PolicyVersion ? null : DataSourcePolicy.Missing(Name, PolicyVersion, time.GetUtcNow());
        }
        if (discover && source.State.SchemaRefreshedAt is null && _connector is not null)
        {
            await DiscoverOnceAsync();
        }
        if (knownVersion == PolicyVersion)
        {
            return null;
        }
        var s = source.State;
        // Copies: the snapshot is immutable (and not copied on a local call), the state's collections are not.
        return new DataSourcePolicy(Name, PolicyVersion, true, s.Type, s.StoredConfig, s.DefaultAccess,
            new Dictionary<string, MaskKind>(s.Masks, StringComparer.Ordinal), s.DefaultQuotas,
            new Dictionary<string, DataGrantEntry>(s.Grants, StringComparer.Ordinal), s.Tables.ToArray(), s.SchemaRefreshedAt, s.Generation,
            s.HashSalt, s.CacheScope, s.CacheTtl, s.Disabled, _connectorError, _discoveryError, time.GetUtcNow());
    }

    // No await in the admissions: the check and the counters it changes happen in one turn, so admissions from
    // executors on every silo, interleaved here, are exact.
    public Task<DataAdmission> AdmitAsync(DataCaller caller, int wanted)
    {
        if (AdmissionRefusal(caller, out var access) is { } refused)
        {
            return Task.FromResult(refused);
        }
        return Task.FromResult(Charge(caller.KeyId, access!.Quotas, wanted));
    }

    public Task<DataAdmission> AdmitSqlAsync(DataCaller caller, int wanted)
    {
        if (AdmissionRefusal(caller, out var access) is { } refused)
        {
            return Task.FromResult(refused);
        }
        if (SqlSlotProblem(caller.KeyId) is { } busy)
        {
            // Before the quota is charged: a statement that never ran costs nothing.
            return Task.FromResult(new DataAdmission(false, Outcome: DataQueryOutcome.Unavailable, Detail: busy));
        }
        var admission = Charge(caller.KeyId, access!.Quotas, wanted);
        if (admission.Admitted)
        {
            TakeSqlSlot(caller.KeyId);
        }
        return Task.FromResult(admission);
    }

    public Task SettleAsync(string keyId, int reserved, int rows)
    {
        if (!source.RecordExists)
        {
            return Task.CompletedTask;
        }
        var counters = Counters(keyId);
        counters.RowsReserved = Math.Max(0, counters.RowsReserved - reserved);
        counters.RowsToday += rows;
        counters.TotalRows += rows;
        _totals.Rows += rows;
        _dirty = true;
        return Task.CompletedTask;
    }

    public Task ReleaseSqlSlotAsync(string keyId)
    {
        _runningSql = Math.Max(0, _runningSql - 1);
        if (_runningSqlByKey.TryGetValue(keyId, out var running) && running > 1)
        {
            _runningSqlByKey[keyId] = running - 1;
        }
        else
        {
            _runningSqlByKey.Remove(keyId);
        }
        return Task.CompletedTask;
    }

    public Task ReportAsync(DataUsageReport report)
    {
        _activeBySilo[report.Reporter] = (report.ActiveQueries, time.GetUtcNow());
        if (!source.RecordExists)
        {
            return Task.CompletedTask;
        }
        var today = Today;
        foreach (var delta in report.Keys)
        {
            var counters = Counters(delta.KeyId);
            counters.Roll(today);
            if (delta.Day == counters.Day)
            {
                counters.QueriesToday += delta.Queries;
                counters.RowsToday += delta.Rows;
            }
            counters.TotalQueries += delta.Queries;
            counters.TotalRows += delta.Rows;
            counters.Denied += delta.Denied;
        }
        _totals.Queries += report.Queries;
        _totals.Denied += report.Denied;
        _totals.Failed += report.Failed;
        _totals.Rows += report.Rows;
        _totals.CacheHits += report.CacheHits;
        _totals.CacheMisses += report.CacheMisses;
        _dirty = true;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Why an executor's admission request finds the caller without access here (its policy is older than the
    /// grain's), or null with the caller's access.
    /// </summary>
    private DataAdmission? AdmissionRefusal(DataCaller caller, out SourceAccess? access)
    {
        access = null;
        if (!source.RecordExists)
        {
            DeactivateOnIdle();
            return new DataAdmission(false, Outcome: DataQueryOutcome.NotFound, Detail: $"Data source '{Name}' not found.", PolicyChanged: true);
        }
        (access, _) = ResolveAccess(caller);
        if (access is null)
        {
            return new DataAdmission(false, Outcome: DataQueryOutcome.NotFound, Detail: $"Data source '{Name}' not found.", PolicyChanged: true);
        }
        return source.State.Disabled
            ? new DataAdmission(false, Outcome: DataQueryOutcome.Unavailable, Detail: $"Data source '{Name}' is disabled.", PolicyChanged: true)
            : null;
    }

    private DataAdmission Charge(string keyId, DataQuotas quotas, int wanted)
    {
        var counters = Counters(keyId);
        return ChargeQuota(counters, quotas, wanted) is { } allowance
            ? new DataAdmission(true, allowance, quotas.RowsPerDay is null ? 0 : allowance)
            : new DataAdmission(false, Outcome: DataQueryOutcome.QuotaExceeded, Detail: QuotaDetail(counters, quotas), QuotaResetAt: NextDay);
    }

    /// <summary>Why another raw SQL statement may not start now (the source's or the key's limit is reached), or null.</summary>
    private string? SqlSlotProblem(string keyId)
    {
        if (_runningSql >= _options.MaxConcurrentSql)
        {
            return $"Data source '{Name}' is already running {_runningSql} raw SQL statements, its limit; retry shortly.";
        }
        return _runningSqlByKey.GetValueOrDefault(keyId) >= _options.MaxConcurrentSqlPerKey
            ? $"This key is already running {_options.MaxConcurrentSqlPerKey} raw SQL statements on '{Name}', its limit; retry when one ends."
            : null;
    }

    private void TakeSqlSlot(string keyId)
    {
        _runningSql++;
        _runningSqlByKey[keyId] = _runningSqlByKey.GetValueOrDefault(keyId) + 1;
    }

    /// <summary>Counts the query and sets aside rows; returns how many rows it may return, or null when a quota is spent.</summary>
    private int? ChargeQuota(DataUsageCounters counters, DataQuotas quotas, int wanted)
    {
        counters.Roll(Today);
        if (quotas.QueriesPerDay is { } maxQueries && counters.QueriesToday >= maxQueries)
        {
            return null;
        }
        var allowance = wanted;
        if (quotas.RowsPerDay is { } maxRows)
        {
            var left = maxRows - counters.RowsToday - counters.RowsReserved;
            if (left <= 0)
            {
                return null;
            }
            allowance = (int)Math.Min(wanted, left);
            counters.RowsReserved += allowance;
        }
        counters.QueriesToday++;
        counters.TotalQueries++;
        _totals.Queries++;
        _dirty = true;
        return allowance;
    }

    private string QuotaDetail(DataUsageCounters counters, DataQuotas quotas) =>
        quotas.QueriesPerDay is { } q && counters.QueriesToday >= q
            ? $"Daily query quota of {q} on '{Name}' is used up; it resets at midnight UTC."
            : $"Daily row quota of {quotas.RowsPerDay} on '{Name}' is used up; it resets at midnight UTC.";

    /// <summary>
    /// Identifies what executors hold: this activation's tag and a counter bumped whenever the policy changes. A new
    /// activation has a new tag, so executors never mistake its first policy for the one they hold.
    /// </summary>
    private string PolicyVersion => $"{_activationTag}:{_policyRevision}";

    private void PolicyChanged() => _policyRevision++;

    /// <summary>
    /// Tells every silo's executors (the change stream) and, at once, this silo's (the stream is asynchronous: a read
    /// right after the change, on this silo, must already see it). The gateway does the same for its own silo.
    /// </summary>
    private async Task AnnounceChangeAsync()
    {
        runtime.Invalidate(Name);
        await this.PublishAsync(CatalogChangeKind.DataSource, Name, time, logger);
    }

    // ---- policy, schema, connector ----

    private (SourceAccess? Access, string? Denial) ResolveAccess(DataCaller caller)
    {
        var s = source.State;
        return DataAccessPolicy.Resolve(Name, s.DefaultAccess, s.Masks, s.DefaultQuotas, s.Grants, caller);
    }

    private DataSourceStatus Status =>
        source.State.Disabled ? DataSourceStatus.Disabled
        : _connectorError is not null || _discoveryError is not null || _healthFailures >= _options.UnhealthyThreshold ? DataSourceStatus.Error
        : source.State.SchemaRefreshedAt is null ? DataSourceStatus.Registered
        : DataSourceStatus.Active;

    /// <summary>The discovered schema, discovering it first if that never succeeded; null when it cannot be had.</summary>
    private async Task<IReadOnlyList<TableSchema>?> EnsureSchemaAsync()
    {
        if (source.State.SchemaRefreshedAt is not null)
        {
            return source.State.Tables;
        }
        if (_connector is null)
        {
            return null;
        }
        var error = await DiscoverOnceAsync();
        return error is null ? source.State.Tables : null;
    }

    /// <summary>Runs one discovery, shared by every caller that asks while it runs; returns the error, if any.</summary>
    private Task<string?> DiscoverOnceAsync()
    {
        if (_discovery is { IsCompleted: false } running)
        {
            return running;
        }
        return _discovery = DiscoverAsync();
    }

    private async Task<string?> DiscoverAsync()
    {
        if (_connector is not { } connector)
        {
            return _connectorError;
        }
        try
        {
            using var timeout = new CancellationTokenSource(_options.SchemaDiscoveryTimeout);
            var tables = await connector.DiscoverAsync(timeout.Token);
            if (!SameSchema(source.State.Tables, tables))
            {
                // Replaced, never changed in place: a write in progress may be serializing the old list.
                source.State.Tables = [.. tables];
                source.State.Generation++;
            }
            source.State.SchemaRefreshedAt = time.GetUtcNow();
            _discoveryError = null;
            _dirty = true;
            PolicyChanged();
            return null;
        }
        catch (Exception e)
        {
            _discoveryError = e is OperationCanceledException ? "schema discovery timed out" : e.Message;
            PolicyChanged();
            logger.LogWarning(e, "Schema discovery of data source {Source} failed", Name);
            return _discoveryError;
        }
    }

    private static bool SameSchema(IReadOnlyList<TableSchema> a, IReadOnlyList<TableSchema> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Name == p.Second.Name
            && p.First.Path.SequenceEqual(p.Second.Path) && p.First.Columns.SequenceEqual(p.Second.Columns));

    private void BuildConnector(JsonObject stored)
    {
        try
        {
            _connector = connectors.Create(source.State.Type, secrets.Reveal(stored), _options.QueryTimeout);
            _connectorError = null;
            PolicyChanged();
        }
        catch (Exception e) when (e is ModelConfigException or DataSourceConfigException)
        {
            _connector = null;
            _connectorError = e.Message;
            logger.LogError(e, "Data source {Source} cannot build its connector", Name);
        }
    }

    /// <summary>Reads still running on the old connector finish before it is disposed.</summary>
    private void RetireConnector()
    {
        if (_connector is { } old)
        {
            _ = Task.Delay(_options.QueryTimeout + TimeSpan.FromSeconds(5)).ContinueWith(_ => old.DisposeAsync().AsTask(), TaskScheduler.Default);
        }
        _connector = null;
    }

    private static string? ValidateMasks(IReadOnlyDictionary<string, MaskKind> masks)
    {
        foreach (var (key, kind) in masks)
        {
            var dot = key.IndexOf('.');
            if (dot <= 0 || dot == key.Length - 1)
            {
                return $"Mask '{key}' must name table.field.";
            }
            if (kind == MaskKind.None)
            {
                return $"Mask '{key}' must be hash, partial or redact.";
            }
        }
        return null;
    }

    // ---- timers and persistence ----

    private void StartTimers()
    {
        _healthTimer ??= this.RegisterGrainTimer(static (grain, _) => grain.CheckHealthAsync(), this,
            new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), _options.HealthCheckInterval) { KeepAlive = false, Interleave = true });
        _flushTimer ??= this.RegisterGrainTimer(static (grain, _) => grain.FlushIfDirtyAsync(), this,
            new GrainTimerCreationOptions(_options.UsageFlushInterval, _options.UsageFlushInterval) { KeepAlive = false });
        _refreshTimer?.Dispose();
        _refreshTimer = source.State.RefreshInterval is { } every && every > TimeSpan.Zero
            ? this.RegisterGrainTimer(static (grain, _) => grain.PeriodicRefreshAsync(), this,
                new GrainTimerCreationOptions(every, every) { KeepAlive = false, Interleave = true })
            : null;
    }

    private async Task CheckHealthAsync()
    {
        if (!source.RecordExists || source.State.Disabled || _connector is not { } connector)
        {
            return;
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = new CancellationTokenSource(_options.HealthCheckTimeout);
            await connector.CheckHealthAsync(timeout.Token);
            _healthy = true;
            _healthFailures = 0;
            _lastHealthError = null;
            if (source.State.SchemaRefreshedAt is null || _discoveryError is not null)
            {
                await DiscoverOnceAsync();
            }
        }
        catch (Exception e)
        {
            _healthFailures++;
            _healthy = false;
            _lastHealthError = e is OperationCanceledException ? "health check timed out" : e.Message;
            if (_healthFailures == _options.UnhealthyThreshold)
            {
                logger.LogWarning(e, "Data source {Source} failed {Count} health checks in a row", Name, _healthFailures);
            }
        }
        _lastCheckedAt = time.GetUtcNow();
        _lastCheckMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2);
        PublishHealth();
    }

    /// <summary>The source's health on this process's <c>mcp_backend_up</c> gauge (absent while disabled or not yet checked).</summary>
    private void PublishHealth() => metrics.BackendHealth("datasource", Name, source.RecordExists
        ? Status switch { DataSourceStatus.Active => true, DataSourceStatus.Error => false, _ => null }
        : null);

    private async Task PeriodicRefreshAsync()
    {
        var generation = source.State.Generation;
        if (await DiscoverOnceAsync() is null && source.State.Generation != generation)
        {
            await cache.InvalidateAsync(Name);
            await AnnounceChangeAsync();
            logger.LogInformation("Data source {Source} changed its schema; cached results dropped", Name);
        }
    }

    private Task FlushIfDirtyAsync() => _dirty && source.RecordExists ? FlushAsync() : Task.CompletedTask;

    private async Task FlushAsync()
    {
        try
        {
            await PersistAsync();
        }
        catch (Exception e)
        {
            _dirty = true;
            logger.LogWarning(e, "Writing counters of data source {Source} failed; will retry", Name);
        }
    }

    /// <summary>Copies the live counters into the state and writes it. Only called from non-interleaved turns.</summary>
    private async Task PersistAsync()
    {
        _dirty = false;
        source.State.Usage = _usage.ToDictionary(e => e.Key, e => Copy(e.Value), StringComparer.Ordinal);
        source.State.Totals = Copy(_totals);
        await source.WriteStateAsync();
    }

    private DataUsageCounters Counters(string keyId)
    {
        if (!_usage.TryGetValue(keyId, out var counters))
        {
            _usage[keyId] = counters = new DataUsageCounters { Day = Today };
        }
        return counters;
    }

    private static DataUsageCounters Copy(DataUsageCounters c) => new()
    {
        Day = c.Day, QueriesToday = c.QueriesToday, RowsToday = c.RowsToday, TotalQueries = c.TotalQueries, TotalRows = c.TotalRows, Denied = c.Denied,
    };

    private static DataSourceTotals Copy(DataSourceTotals t) => new()
    {
        Queries = t.Queries, Denied = t.Denied, Failed = t.Failed, Rows = t.Rows, CacheHits = t.CacheHits, CacheMisses = t.CacheMisses,
    };

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    private DateTimeOffset NextDay => new(Today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private JsonObject ParseConfig(string json)
    {
        if (json.Length > _options.MaxConfigBytes)
        {
            throw new DataSourceConfigException("config", $"config is larger than {_options.MaxConfigBytes} bytes.");
        }
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new DataSourceConfigException("config", "config must be an object.");
        }
        catch (JsonException e)
        {
            throw new DataSourceConfigException("config", $"config is not valid JSON: {e.Message}");
        }
    }

    private JsonObject StoredConfig() => JsonNode.Parse(source.State.StoredConfig) as JsonObject ?? new JsonObject();

    private DataSourceInfo ToInfo()
    {
        var s = source.State;
        return new DataSourceInfo(Name, s.Type, s.Description, ModelSecretProtector.Masked(StoredConfig()).ToJsonString(), Status,
            s.DefaultAccess, s.Masks, s.DefaultQuotas, s.CacheTtl, s.RefreshInterval, s.Tables.Count, s.CreatedAt, s.UpdatedAt, s.CreatedBy);
    }
}
