using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Audit;
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
/// One data source. Reads (<see cref="QueryAsync"/>, <see cref="ExecuteSqlAsync"/>) interleave so a slow query never
/// queues the next one; they change only in-memory counters, never objects the storage provider may be serializing.
/// The counters are copied into the persisted state by the non-interleaved flush timer and by the non-interleaved
/// admin methods, which are the only places that write state.
/// </summary>
[GrainType("datasource")]
public sealed class DataSourceGrain(
    [PersistentState("datasource", StorageNames.Default)] IPersistentState<DataSourceState> source,
    DataConnectorFactory connectors,
    ModelSecretProtector secrets,
    DataQueryCache cache,
    AuditLog audit,
    IOptions<DataSourceGrainOptions> options,
    IOptions<QueryLimits> queryLimits,
    Telemetry.McpMetrics metrics,
    IOptions<SiloMessagingOptions> messaging,
    TimeProvider time,
    ILogger<DataSourceGrain> logger) : Grain, IDataSourceGrain, IRemindable
{
    private const string KeepAliveReminder = "keep-alive";

    /// <summary>
    /// The metrics label of reads of a name that is not a registered source: callers choose those names, and a
    /// series per name would let them grow /metrics without bound.
    /// </summary>
    private const string UnknownSourceLabel = "_unknown";

    private readonly DataSourceGrainOptions _options = options.Value;
    private readonly QueryLimits _limits = queryLimits.Value;
    private readonly TimeSpan _deadline = QueryDeadline.For(options.Value.QueryTimeout, messaging.Value.ResponseTimeout);

    private DataConnector? _connector;
    private string? _connectorError;
    private FieldMasker? _masker;
    private Task<string?>? _discovery;
    private string? _discoveryError;
    private int _activeQueries;
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

    private string MetricSource => source.RecordExists ? Name : UnknownSourceLabel;

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
        _masker = new FieldMasker(source.State.HashSalt);
        // A source that is down at registration is still registered (in error); its health loop picks it up.
        await DiscoverOnceAsync();
        await PersistAsync();
        await GrainFactory.GetGrain<INameCatalogGrain>(NameCatalogs.DataSources).AddAsync(Name);
        await this.PublishAsync(CatalogChangeKind.DataSource, Name, time, logger);
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
        await this.PublishAsync(CatalogChangeKind.DataSource, Name, time, logger);
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
        _usage.Clear();
        _totals = new DataSourceTotals();
        _dirty = false;
        await GrainFactory.GetGrain<INameCatalogGrain>(NameCatalogs.DataSources).RemoveAsync(Name);
        await cache.InvalidateAsync(Name);
        await this.PublishAsync(CatalogChangeKind.DataSource, Name, time, logger);
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
        await PersistAsync();
        await cache.InvalidateAsync(Name);
        await this.PublishAsync(CatalogChangeKind.DataSource, Name, time, logger);
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
        await PersistAsync();
        await this.PublishAsync(CatalogChangeKind.DataSource, Name, time, logger);
        logger.LogInformation("Grant on data source {Source} for {Subject} set by {UpdatedBy}", Name, subject, updatedBy);
        return DataCommandResult.Ok(ToInfo());
    }

    public async Task<bool> RemoveGrantAsync(string subject, string updatedBy)
    {
        if (!source.RecordExists || !source.State.Grants.Remove(subject))
        {
            return false;
        }
        await PersistAsync();
        await this.PublishAsync(CatalogChangeKind.DataSource, Name, time, logger);
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

    public Task<int> GetActiveQueriesAsync() => Task.FromResult(_activeQueries);

    public async Task<DataQueryResult> QueryAsync(DataQuery query, DataCaller caller)
    {
        var label = QueryStarted();
        try
        {
            return await QueryCoreAsync(query, caller);
        }
        finally
        {
            QueryEnded(label);
        }
    }

    public async Task<DataQueryResult> ExecuteSqlAsync(string sql, int? maxRows, DataCaller caller)
    {
        var label = QueryStarted();
        try
        {
            return await ExecuteSqlCoreAsync(sql, maxRows, caller);
        }
        finally
        {
            QueryEnded(label);
        }
    }

    // Reads interleave, so several may be running; the grain's turns are single-threaded, so a plain counter suffices.
    private string QueryStarted()
    {
        _activeQueries++;
        var label = MetricSource;
        metrics.QueryStarted(label);
        return label;
    }

    private void QueryEnded(string label)
    {
        _activeQueries--;
        metrics.QueryEnded(label);
    }

    private async Task<DataQueryResult> QueryCoreAsync(DataQuery query, DataCaller caller)
    {
        var started = Stopwatch.GetTimestamp();
        var requestedFields = query.Fields ?? [];
        var gate = Gate(caller, query.Table, requestedFields, "query");
        if (gate.Access is not { } access)
        {
            return await AuditRefusalAsync(gate.Refusal!, started);
        }
        var tables = await EnsureSchemaAsync();
        if (tables is null)
        {
            return await ReadFailedAsync(new InvalidOperationException($"its schema is not available ({_discoveryError ?? _connectorError})"),
                caller, query.Table, requestedFields, "query", started);
        }
        // Tables the caller may not read are reported exactly like tables that do not exist.
        var (policy, tableRefusal) = QueryTableChoice.Choose(Name, query, tables, access);
        if (policy is null)
        {
            return await DenyAsync(caller, query.Table, requestedFields, "query", tableRefusal!.Outcome, tableRefusal.Detail, started, field: tableRefusal.Field);
        }
        var table = policy.Table;
        query = query with { Table = table.Name };
        if (CheckFields(query, policy, caller.IsAdmin) is { } fieldProblem)
        {
            return await DenyAsync(caller, query.Table, requestedFields, "query", fieldProblem.Outcome, fieldProblem.Detail, started, fieldProblem.Field,
                auditDetail: fieldProblem.AuditDetail);
        }

        var fields = query.Fields is { Count: > 0 } ? query.Fields : policy.VisibleColumns.Select(c => c.Name).ToArray();
        if (query.Filters.Count > _limits.MaxFilters)
        {
            return await DenyAsync(caller, query.Table, fields, "query", DataQueryOutcome.Invalid, $"At most {_limits.MaxFilters} filters per query.", started, "filters");
        }
        var (filters, periodFilters, periodProblem) = RelativePeriodFilters.Expand(query.Filters, table, time.GetUtcNow());
        if (periodProblem is not null)
        {
            return await DenyAsync(caller, query.Table, fields, "query", DataQueryOutcome.Invalid, periodProblem.Detail, started, periodProblem.Field);
        }
        var effective = query with { Fields = fields, Filters = [.. filters, .. policy.RowFilters] };
        // A period is one filter of the caller's that becomes two; like row filters, the second is not the caller's to count.
        var limits = _limits.WithRowFilters(policy.RowFilters.Count + periodFilters);
        var (read, problem) = Connector.Prepare(effective, table, limits);
        if (read is null)
        {
            return await DenyAsync(caller, query.Table, fields, "query", DataQueryOutcome.Invalid, problem!.Detail, started, problem.Field);
        }

        var counters = Counters(caller.KeyId);
        if (ChargeQuota(counters, access.Quotas, read.Limit) is not { } allowance)
        {
            return await DenyAsync(caller, query.Table, fields, "query", DataQueryOutcome.QuotaExceeded,
                QuotaDetail(counters, access.Quotas), started, quotaReset: NextDay);
        }
        var limitedByQuota = allowance < read.Limit;
        if (limitedByQuota)
        {
            (read, _) = Connector.Prepare(effective with { Limit = allowance }, table, limits);
        }

        CachedRows rows;
        bool hit;
        var ttl = source.State.CacheTtl;
        try
        {
            using var timeout = new CancellationTokenSource(_deadline);
            if (ttl > TimeSpan.Zero)
            {
                var key = DataQueryCache.Key(Name, source.State.CacheScope, source.State.Generation, read!.Fingerprint, policy.Fingerprint);
                // The cache may run the read on a thread of its own, so it gets what it needs now, on the grain's scheduler.
                var (connector, masker) = (Connector, Masker);
                (rows, hit) = await cache.GetOrReadAsync(Name, key, ttl, ct => ReadRowsAsync(connector, masker, read, policy, ct), timeout.Token);
            }
            else
            {
                (rows, hit) = (await ReadRowsAsync(Connector, Masker, read!, policy, timeout.Token), false);
            }
        }
        catch (Exception e)
        {
            counters.RowsReserved -= allowance;
            return await ReadFailedAsync(e, caller, query.Table, fields, "query", started);
        }
        counters.RowsReserved -= allowance;
        counters.RowsToday += rows.Count;
        counters.TotalRows += rows.Count;
        _totals.Rows += rows.Count;
        if (hit) _totals.CacheHits++; else _totals.CacheMisses++;
        _dirty = true;
        metrics.CacheLookup(MetricSource, hit);

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            await audit.AppendAsync(Entry(caller, query.Table, fields, "query", AuditDecision.Allowed, null, rows.Count, elapsed, hit, null));
        }
        catch (Exception e)
        {
            logger.LogError(e, "Audit entry for a read of {Source} could not be written; the rows are withheld", Name);
            return DataQueryResult.Refused(DataQueryOutcome.Unavailable, "The audit log cannot be written, so no data is returned.");
        }
        metrics.DataQuery(MetricSource, "ok", Stopwatch.GetElapsedTime(started));
        return new DataQueryResult(DataQueryOutcome.Ok, Columns: read!.Columns, RowsJson: rows.Json, RowCount: rows.Count, Cached: hit,
            MaskedFields: policy.Masks, LimitedByQuota: limitedByQuota, ElapsedMs: elapsed, Table: table.Name);
    }

    private async Task<DataQueryResult> ExecuteSqlCoreAsync(string sql, int? maxRows, DataCaller caller)
    {
        var started = Stopwatch.GetTimestamp();
        var gate = Gate(caller, null, [], "sql", sql);
        if (gate.Access is not { } access)
        {
            return await AuditRefusalAsync(gate.Refusal!, started);
        }
        if (!Connector.SupportsSql)
        {
            return await DenyAsync(caller, null, [], "sql", DataQueryOutcome.Invalid,
                $"Data source '{Name}' ({source.State.Type}) does not run SQL; use a structured query.", started, "sql", statement: sql);
        }
        if (!access.AllowSql)
        {
            return await DenyAsync(caller, null, [], "sql", DataQueryOutcome.Forbidden,
                $"Raw SQL on '{Name}' needs a grant with \"sql\": true.", started, statement: sql);
        }
        if (!access.IsUnrestricted)
        {
            return await DenyAsync(caller, null, [], "sql", DataQueryOutcome.Forbidden,
                $"Raw SQL is refused where field rules, row filters or masks apply on '{Name}': it could read around them. Use a structured query.",
                started, statement: sql);
        }
        if (sql.Length > _options.MaxSqlLength)
        {
            return await DenyAsync(caller, null, [], "sql", DataQueryOutcome.Invalid,
                $"sql is limited to {_options.MaxSqlLength} characters.", started, "sql", statement: sql);
        }
        if (!SqlStatementGuard.IsSingleStatement(sql, out var statementProblem))
        {
            return await DenyAsync(caller, null, [], "sql", DataQueryOutcome.Invalid, statementProblem!, started, "sql", statement: sql);
        }
        var rowLimit = maxRows ?? _options.MaxSqlRows;
        if (rowLimit < 1 || rowLimit > _options.MaxSqlRows)
        {
            return await DenyAsync(caller, null, [], "sql", DataQueryOutcome.Invalid,
                $"max_rows must be between 1 and {_options.MaxSqlRows}.", started, "max_rows", statement: sql);
        }

        if (SqlSlotProblem(caller.KeyId) is { } busy)
        {
            // Before the quota is charged: a statement that never ran costs nothing.
            return await DenyAsync(caller, null, [], "sql", DataQueryOutcome.Unavailable, busy, started, statement: sql);
        }
        var counters = Counters(caller.KeyId);
        if (ChargeQuota(counters, access.Quotas, rowLimit) is not { } allowance)
        {
            return await DenyAsync(caller, null, [], "sql", DataQueryOutcome.QuotaExceeded, QuotaDetail(counters, access.Quotas), started,
                quotaReset: NextDay, statement: sql);
        }

        RowSet rows;
        Task<RowSet>? running = null;
        TakeSqlSlot(caller.KeyId);
        try
        {
            using var timeout = new CancellationTokenSource(_deadline);
            running = Connector.ExecuteReadOnlySqlAsync(sql, allowance, _deadline, timeout.Token);
            // The answer comes at the deadline even if the source is slow to give up; the slot stays taken until it has.
            rows = await running.WaitAsync(timeout.Token);
        }
        catch (Exception e)
        {
            counters.RowsReserved -= allowance;
            return await ReadFailedAsync(e, caller, null, [], "sql", started, sql);
        }
        finally
        {
            _ = ReleaseSqlSlotAsync(running, caller.KeyId);
        }
        counters.RowsReserved -= allowance;
        counters.RowsToday += rows.Rows.Count;
        counters.TotalRows += rows.Rows.Count;
        _totals.Rows += rows.Rows.Count;
        _dirty = true;

        var json = RowJsonWriter.Write(rows, new Dictionary<string, MaskKind>(), Masker);
        var fields = rows.Columns.Select(c => c.Name).ToArray();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            await audit.AppendAsync(Entry(caller, null, fields, "sql", AuditDecision.Allowed, null, rows.Rows.Count, elapsed, false, sql));
        }
        catch (Exception e)
        {
            logger.LogError(e, "Audit entry for SQL on {Source} could not be written; the rows are withheld", Name);
            return DataQueryResult.Refused(DataQueryOutcome.Unavailable, "The audit log cannot be written, so no data is returned.");
        }
        metrics.DataQuery(MetricSource, "ok", Stopwatch.GetElapsedTime(started));
        return new DataQueryResult(DataQueryOutcome.Ok, Columns: rows.Columns, RowsJson: json, RowCount: rows.Rows.Count,
            MaskedFields: new Dictionary<string, MaskKind>(), LimitedByQuota: rows.Truncated && allowance < rowLimit, ElapsedMs: elapsed,
            Detail: rows.Truncated ? $"Only the first {allowance} rows were returned." : null);
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

    /// <summary>Frees the slot once the statement has really stopped (after the answer, when it outlived its deadline).</summary>
    private async Task ReleaseSqlSlotAsync(Task? running, string keyId)
    {
        try
        {
            if (running is not null)
            {
                await running;
            }
        }
        catch
        {
            // Its failure was answered already; this only waits for the end.
        }
        finally
        {
            // Back on the grain's scheduler (the await captured it), like every other change of these counters.
            _runningSql--;
            if (--_runningSqlByKey[keyId] == 0)
            {
                _runningSqlByKey.Remove(keyId);
            }
        }
    }

    // ---- reads ----

    /// <summary>Touches no grain state: it may run off the grain's scheduler (in the query cache's factory).</summary>
    private static async Task<CachedRows> ReadRowsAsync(
        DataConnector connector, FieldMasker masker, PreparedRead read, TablePolicy policy, CancellationToken cancellationToken)
    {
        var rows = await connector.ReadAsync(read, cancellationToken);
        return new CachedRows(rows.Rows.Count, RowJsonWriter.Write(rows, policy.Masks, masker));
    }

    /// <summary>
    /// The caller's access to the source, or why there is none. A caller who may not see the source is answered
    /// exactly like one asking for a source that does not exist (only the audit log keeps the real reason), and that
    /// comes before anything that would tell the two apart, such as the source being disabled. Admins get the precise answer.
    /// </summary>
    private (SourceAccess? Access, Refusal? Refusal) Gate(DataCaller caller, string? table, IReadOnlyList<string> fields, string operation, string? statement = null)
    {
        if (!source.RecordExists)
        {
            DeactivateOnIdle();
            return (null, Refuse(DataQueryOutcome.NotFound, NotFoundDetail, "source"));
        }
        if (!caller.IsAdmin && !caller.Permissions.Satisfies(Permissions.Read))
        {
            return (null, Refuse(DataQueryOutcome.Forbidden, $"Key {caller.KeyId} lacks the read permission.", null));
        }
        var (access, denial) = ResolveAccess(caller);
        if (access is null)
        {
            return (null, caller.IsAdmin
                ? Refuse(DataQueryOutcome.Forbidden, denial!, null)
                : Refuse(DataQueryOutcome.NotFound, NotFoundDetail, "source") with { AuditDetail = denial });
        }
        if (source.State.Disabled)
        {
            return (null, Refuse(DataQueryOutcome.Unavailable, $"Data source '{Name}' is disabled.", null));
        }
        if (_connector is null)
        {
            return (null, Refuse(DataQueryOutcome.Unavailable, $"Data source '{Name}' cannot start its connector: {_connectorError}", null));
        }
        return (access, null);

        Refusal Refuse(DataQueryOutcome outcome, string detail, string? field) =>
            new(caller, table, fields, operation, outcome, detail, field, statement);
    }

    /// <summary>The answer for a source that does not exist, and for one the caller may not see.</summary>
    private string NotFoundDetail => $"Data source '{Name}' not found.";

    private Task<DataQueryResult> AuditRefusalAsync(Refusal r, long started) =>
        DenyAsync(r.Caller, r.Table, r.Fields, r.Operation, r.Outcome, r.Detail, started, r.Field, statement: r.Statement, auditDetail: r.AuditDetail);

    /// <summary>
    /// Checks the fields a query names. For callers other than admins a field they may not see is answered exactly like
    /// a field that does not exist (400, listing the visible fields only), so errors never reveal hidden column names
    /// or that they exist; the audit log keeps the real reason.
    /// </summary>
    private static (DataQueryOutcome Outcome, string Detail, string Field, string? AuditDetail)? CheckFields(DataQuery query, TablePolicy policy, bool isAdmin)
    {
        var named = QueryTableChoice.Named(query).ToArray();
        foreach (var (field, where) in named)
        {
            var missing = policy.Table.FindColumn(field) is null;
            if (missing || (!isAdmin && !policy.IsVisible(field)))
            {
                return (DataQueryOutcome.Invalid,
                    $"Table '{policy.Table.Name}' has no field '{field}'. Fields: {string.Join(", ", policy.VisibleColumns.Select(c => c.Name))}.", where,
                    missing ? null : $"Field '{field}' of '{policy.Table.Name}' is not granted to this key.");
            }
        }
        foreach (var (field, where) in named)
        {
            if (!policy.IsVisible(field))
            {
                return (DataQueryOutcome.Forbidden, $"Field '{field}' of '{policy.Table.Name}' is not granted to this key.", where, null);
            }
            if (where != "fields" && policy.IsMasked(field))
            {
                // Filtering or sorting on a masked value would reveal it a comparison at a time.
                return (DataQueryOutcome.Forbidden, $"Field '{field}' is masked ({policy.Masks[field].ToString().ToLowerInvariant()}) and cannot be filtered or sorted on.", where, null);
            }
        }
        return null;
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
        }
        counters.QueriesToday++;
        counters.TotalQueries++;
        counters.RowsReserved += allowance;
        _totals.Queries++;
        _dirty = true;
        return allowance;
    }

    private string QuotaDetail(DataUsageCounters counters, DataQuotas quotas) =>
        quotas.QueriesPerDay is { } q && counters.QueriesToday >= q
            ? $"Daily query quota of {q} on '{Name}' is used up; it resets at midnight UTC."
            : $"Daily row quota of {quotas.RowsPerDay} on '{Name}' is used up; it resets at midnight UTC.";

    private async Task<DataQueryResult> ReadFailedAsync(Exception e, DataCaller caller, string? table, IReadOnlyList<string> fields,
        string operation, long started, string? statement = null)
    {
        var (outcome, detail) = e switch
        {
            OperationCanceledException or TimeoutException =>
                (DataQueryOutcome.Timeout, $"The read on '{Name}' took longer than {_deadline.TotalSeconds:0.#} s and was cancelled."),
            MultipleStatementsException many => (DataQueryOutcome.Invalid, many.Message),
            DataSourceQueryException q => (statement is null ? DataQueryOutcome.Invalid : DataQueryOutcome.SourceError, q.Message),
            ResultTooLargeException big => (DataQueryOutcome.TooLarge, big.Message),
            _ => (DataQueryOutcome.Unavailable, $"Data source '{Name}' could not be read: {e.Message}"),
        };
        if (outcome == DataQueryOutcome.Unavailable)
        {
            logger.LogWarning(e, "Read on data source {Source} failed", Name);
        }
        _totals.Failed++;
        _dirty = true;
        await TryAuditAsync(Entry(caller, table, fields, operation, AuditDecision.Failed, detail, 0,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds, false, statement));
        metrics.DataQuery(MetricSource, OutcomeName(outcome), Stopwatch.GetElapsedTime(started));
        if (outcome == DataQueryOutcome.Unavailable && !caller.IsAdmin)
        {
            // The cause may name internal hosts or the node's internals: admins and the audit log get it, others do not.
            detail = $"Data source '{Name}' could not be read. The cause is logged and in the audit log.";
        }
        return DataQueryResult.Refused(outcome, detail, outcome == DataQueryOutcome.SourceError || (outcome == DataQueryOutcome.Invalid && statement is not null) ? "sql" : null);
    }

    private async Task<DataQueryResult> DenyAsync(DataCaller caller, string? table, IReadOnlyList<string> fields, string operation,
        DataQueryOutcome outcome, string detail, long started, string? field = null, DateTimeOffset? quotaReset = null, string? statement = null,
        string? auditDetail = null)
    {
        if (source.RecordExists)
        {
            Counters(caller.KeyId).Denied++;
            _totals.Denied++;
            _dirty = true;
        }
        await TryAuditAsync(Entry(caller, table, fields, operation, AuditDecision.Denied, auditDetail ?? detail, 0,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds, false, statement));
        metrics.DataQuery(MetricSource, OutcomeName(outcome), Stopwatch.GetElapsedTime(started));
        return new DataQueryResult(outcome, detail, field, QuotaResetAt: quotaReset);
    }

    private static string OutcomeName(DataQueryOutcome outcome) => outcome switch
    {
        DataQueryOutcome.NotFound => "not_found",
        DataQueryOutcome.QuotaExceeded => "quota_exceeded",
        DataQueryOutcome.SourceError => "source_error",
        DataQueryOutcome.TooLarge => "too_large",
        var other => other.ToString().ToLowerInvariant(),
    };

    private async Task TryAuditAsync(AuditEntry entry)
    {
        try
        {
            await audit.AppendAsync(entry);
        }
        catch (Exception e)
        {
            // The refusal stands either way; there is no data to withhold.
            logger.LogError(e, "Audit entry for a refused read of {Source} could not be written", Name);
        }
    }

    private AuditEntry Entry(DataCaller caller, string? table, IReadOnlyList<string> fields, string operation, AuditDecision decision,
        string? reason, int rows, double latencyMs, bool cached, string? statement) =>
        new(0, time.GetUtcNow(), caller.KeyId, caller.Owner, caller.ModelId, Name, table, fields, operation, decision, reason, rows,
            Math.Round(latencyMs, 3), cached, statement);

    // ---- policy, schema, connector ----

    private (SourceAccess? Access, string? Denial) ResolveAccess(DataCaller caller)
    {
        var s = source.State;
        return DataAccessPolicy.Resolve(Name, s.DefaultAccess, s.Masks, s.DefaultQuotas, s.Grants, caller);
    }

    private DataConnector Connector => _connector ?? throw new InvalidOperationException("The connector is not built.");

    private FieldMasker Masker => _masker ??= new FieldMasker(source.State.HashSalt);

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
            return null;
        }
        catch (Exception e)
        {
            _discoveryError = e is OperationCanceledException ? "schema discovery timed out" : e.Message;
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
            await this.PublishAsync(CatalogChangeKind.DataSource, Name, time, logger);
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

    /// <param name="AuditDetail">The real reason, for the audit log, when the caller is told something vaguer.</param>
    private sealed record Refusal(DataCaller Caller, string? Table, IReadOnlyList<string> Fields, string Operation,
        DataQueryOutcome Outcome, string Detail, string? Field, string? Statement, string? AuditDetail = null);
}
