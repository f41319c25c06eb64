using System.Diagnostics;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Audit;
using Mcp.Cluster.DataSources.Caching;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Governance;
using Mcp.Cluster.DataSources.Query;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Configuration;

namespace Mcp.Cluster.DataSources.Execution;

/// <summary>
/// Runs reads of one source on this silo. It decides nothing of its own: the source's grain hands it the policy
/// (<see cref="DataSourceRuntime"/> holds it per silo, renewed on change and at the end of its lease), the one
/// governance code (<see cref="DataAccessPolicy"/>, <see cref="QueryTableChoice"/>, <see cref="TablePolicy"/>) turns
/// it into the caller's plan, and quotas and raw SQL slots are admitted by the grain in one call. Everything else
/// happens here, on as many silos and cores as the reads arrive at: translating the query, running it on the
/// connector, masking, caching, auditing (the silo's group-committed <see cref="AuditLog"/>: the rows are only
/// returned once their entry is stored) and counting (<see cref="DataUsageReporter"/>, sent to the grain in batches).
/// Reentrant and stateless: an activation holds nothing but references to the silo's shared services, so reads interleave.
/// </summary>
[StatelessWorker, Reentrant]
[GrainType("datasource-executor")]
public sealed partial class DataSourceExecutorGrain(
    DataSourceRuntime runtime,
    DataUsageReporter reporter,
    Insights.DataInsightsRecorder insights,
    DataQueryCache cache,
    AuditLog audit,
    IOptions<DataSourceGrainOptions> options,
    IOptions<QueryLimits> queryLimits,
    Telemetry.McpMetrics metrics,
    IOptions<SiloMessagingOptions> messaging,
    IGrainFactory grains,
    TimeProvider time,
    ILogger<DataSourceExecutorGrain> logger) : Grain, IDataSourceExecutorGrain
{
    /// <summary>
    /// The metrics label of reads of a name that is not a registered source: callers choose those names, and a
    /// series per name would let them grow /metrics without bound.
    /// </summary>
    private const string UnknownSourceLabel = "_unknown";

    /// <summary>An aggregate answer's columns are group fields (never masked ones) and computed values: nothing to mask.</summary>
    private static readonly IReadOnlyDictionary<string, MaskKind> NoMasks = new Dictionary<string, MaskKind>();

    private readonly DataSourceGrainOptions _options = options.Value;
    private readonly QueryLimits _limits = queryLimits.Value;
    private readonly TimeSpan _deadline = QueryDeadline.For(options.Value.QueryTimeout, messaging.Value.ResponseTimeout);

    private string Name => this.GetPrimaryKeyString();

    private IDataSourceGrain Source => grains.GetGrain<IDataSourceGrain>(Name);

    public async Task<DataSourceStatusReport?> GetStatusAsync()
    {
        await reporter.FlushAsync(Name);
        return await Source.GetStatusAsync();
    }

    public async Task<DataSourceUsage?> GetUsageAsync(string keyId, string owner)
    {
        await reporter.FlushAsync(Name);
        return await Source.GetUsageAsync(keyId, owner);
    }

    public Task PolicyChangedAsync()
    {
        runtime.Invalidate(Name);
        return Task.CompletedTask;
    }

    public Task<DataQueryResult> QueryAsync(DataQuery query, DataCaller caller) =>
        RunAsync(caller, (read, retry) => QueryCoreAsync(read, query, caller, retry), Insights.ObservedRead.Of(query));

    public Task<DataQueryResult> ExecuteSqlAsync(string sql, int? maxRows, DataCaller caller) =>
        RunAsync(caller, (read, retry) => ExecuteSqlCoreAsync(read, sql, maxRows, caller, retry), Insights.ObservedRead.Of(sql));

    /// <summary>Fetches the policy, counts the read as running while it runs, and turns a grain that cannot be reached into a 503.</summary>
    private async Task<DataQueryResult> RunAsync(DataCaller caller, Func<Read, bool, Task<DataQueryResult>> core, Insights.ObservedRead observed)
    {
        var started = Stopwatch.GetTimestamp();
        SourceRuntime source;
        try
        {
            source = await runtime.GetAsync(Name);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "The policy of data source {Source} could not be fetched", Name);
            metrics.DataQuery(UnknownSourceLabel, "unavailable", Stopwatch.GetElapsedTime(started));
            return DataQueryResult.Refused(DataQueryOutcome.Unavailable, caller.IsAdmin
                ? $"Data source '{Name}' could not be read: {e.Message}"
                : $"Data source '{Name}' could not be read. The cause is logged and in the audit log.");
        }
        var read = new Read(source, started);
        var counted = source.Policy.Exists;
        if (counted) reporter.Started(Name, read.Label); else metrics.QueryStarted(read.Label);
        try
        {
            var result = await core(read, true);
            if (counted) insights.Completed(Name, observed, result, read.ElapsedMs, read.Source.Policy.CacheTtl > TimeSpan.Zero);
            return result;
        }
        finally
        {
            if (counted) reporter.Ended(Name, read.Label); else metrics.QueryEnded(read.Label);
        }
    }

    private async Task<DataQueryResult> QueryCoreAsync(Read r, DataQuery query, DataCaller caller, bool mayRetry)
    {
        var requestedFields = query.Fields ?? [];
        var gate = Gate(r, caller, query.Table, requestedFields, "query");
        if (gate.Access is not { } access)
        {
            return await AuditRefusalAsync(r, gate.Refusal!);
        }
        var tables = await EnsureSchemaAsync(r);
        if (tables is null)
        {
            return await ReadFailedAsync(r, new InvalidOperationException($"its schema is not available ({r.Source.Policy.SchemaError ?? r.Source.ConnectorError})"),
                caller, query.Table, requestedFields, "query");
        }
        var connector = r.Source.Connector!;
        // Tables the caller may not read are reported exactly like tables that do not exist.
        var (policy, tableRefusal) = QueryTableChoice.Choose(Name, query, tables, access);
        if (policy is null)
        {
            return await DenyAsync(r, caller, query.Table, requestedFields, "query", tableRefusal!.Outcome, tableRefusal.Detail, field: tableRefusal.Field);
        }
        var table = policy.Table;
        query = query with { Table = table.Name };
        if (CheckFields(query, policy, caller.IsAdmin) is { } fieldProblem)
        {
            return await DenyAsync(r, caller, query.Table, requestedFields, "query", fieldProblem.Outcome, fieldProblem.Detail, fieldProblem.Field,
                auditDetail: fieldProblem.AuditDetail);
        }

        var aggregate = AggregateNames.IsAggregate(query);
        // An aggregate query reads its group fields and the fields it aggregates; its answer columns are computed.
        var fields = aggregate ? QueryTableChoice.Named(query with { Filters = [], OrderBy = [] }).Select(n => n.Field).Distinct().ToArray()
            : query.Fields is { Count: > 0 } ? query.Fields : policy.VisibleColumns.Select(c => c.Name).ToArray();
        if (query.Filters.Count > _limits.MaxFilters)
        {
            return await DenyAsync(r, caller, query.Table, fields, "query", DataQueryOutcome.Invalid, $"At most {_limits.MaxFilters} filters per query.", "filters");
        }
        var (filters, periodFilters, periodProblem) = RelativePeriodFilters.Expand(query.Filters, table, time.GetUtcNow());
        if (periodProblem is not null)
        {
            return await DenyAsync(r, caller, query.Table, fields, "query", DataQueryOutcome.Invalid, periodProblem.Detail, periodProblem.Field);
        }
        var effective = query with { Fields = aggregate ? query.Fields : fields, Filters = [.. filters, .. policy.RowFilters] };
        // A period is one filter of the caller's that becomes two; like row filters, the second is not the caller's to count.
        var limits = _limits.WithRowFilters(policy.RowFilters.Count + periodFilters);
        var (read, problem) = connector.Prepare(effective, table, limits);
        if (read is null)
        {
            return await DenyAsync(r, caller, query.Table, fields, "query", DataQueryOutcome.Invalid, problem!.Detail, problem.Field);
        }

        // Keys under a quota are admitted by the grain (exact across executors); the others only report afterwards.
        var admission = new DataAdmission(true, read.Limit);
        var admitted = HasQuota(access.Quotas);
        if (admitted)
        {
            try
            {
                admission = await Source.AdmitAsync(caller, read.Limit);
            }
            catch (Exception e)
            {
                return await ReadFailedAsync(r, e, caller, query.Table, fields, "query");
            }
            if (admission.PolicyChanged && mayRetry)
            {
                return await RetryWithFreshPolicyAsync(r, fresh => QueryCoreAsync(fresh, query, caller, mayRetry: false));
            }
            if (!admission.Admitted)
            {
                return await DenyAsync(r, caller, query.Table, fields, "query", admission.Outcome, admission.Detail!, quotaReset: admission.QuotaResetAt);
            }
        }
        var allowance = admission.Allowance;
        var limitedByQuota = allowance < read.Limit;
        if (limitedByQuota)
        {
            (read, _) = connector.Prepare(effective with { Limit = allowance }, table, limits);
        }

        CachedRows rows;
        bool hit;
        var ttl = r.Source.Policy.CacheTtl;
        var masker = r.Source.Masker;
        var masks = read!.IsAggregate ? NoMasks : policy.Masks;
        try
        {
            using var timeout = new CancellationTokenSource(_deadline);
            if (ttl > TimeSpan.Zero)
            {
                var key = DataQueryCache.Key(Name, r.Source.Policy.CacheScope, r.Source.Policy.Generation, read!.Fingerprint, policy.Fingerprint);
                (rows, hit) = await cache.GetOrReadAsync(Name, key, ttl, ct => ReadRowsAsync(connector, masker, read, masks, ct), timeout.Token);
            }
            else
            {
                (rows, hit) = (await ReadRowsAsync(connector, masker, read!, masks, timeout.Token), false);
            }
        }
        catch (Exception e)
        {
            await SettleAsync(caller, admission, 0);
            return await ReadFailedAsync(r, e, caller, query.Table, fields, "query");
        }
        await SettleAsync(caller, admission, rows.Count);
        reporter.Read(Name, caller.KeyId, counted: !admitted, rows: admission.Reserved > 0 ? 0 : rows.Count, hit);
        metrics.CacheLookup(r.Label, hit);

        var elapsed = r.ElapsedMs;
        try
        {
            await audit.AppendAsync(Entry(caller, query.Table, fields, "query", AuditDecision.Allowed, null, rows.Count, elapsed, hit, null));
        }
        catch (Exception e)
        {
            logger.LogError(e, "Audit entry for a read of {Source} could not be written; the rows are withheld", Name);
            return DataQueryResult.Refused(DataQueryOutcome.Unavailable, "The audit log cannot be written, so no data is returned.");
        }
        metrics.DataQuery(r.Label, "ok", r.Elapsed);
        return new DataQueryResult(DataQueryOutcome.Ok, Columns: read!.Columns, RowsJson: rows.Json, RowCount: rows.Count, Cached: hit,
            MaskedFields: masks, LimitedByQuota: limitedByQuota, ElapsedMs: elapsed, Table: table.Name);
    }

    private async Task<DataQueryResult> ExecuteSqlCoreAsync(Read r, string sql, int? maxRows, DataCaller caller, bool mayRetry)
    {
        var gate = Gate(r, caller, null, [], "sql", sql);
        if (gate.Access is not { } access)
        {
            return await AuditRefusalAsync(r, gate.Refusal!);
        }
        var connector = r.Source.Connector!;
        if (!connector.SupportsSql)
        {
            return await DenyAsync(r, caller, null, [], "sql", DataQueryOutcome.Invalid,
                $"Data source '{Name}' ({r.Source.Policy.Type}) does not run SQL; use a structured query.", "sql", statement: sql);
        }
        if (!access.AllowSql)
        {
            return await DenyAsync(r, caller, null, [], "sql", DataQueryOutcome.Forbidden,
                $"Raw SQL on '{Name}' needs a grant with \"sql\": true.", statement: sql);
        }
        if (!access.IsUnrestricted)
        {
            return await DenyAsync(r, caller, null, [], "sql", DataQueryOutcome.Forbidden,
                $"Raw SQL is refused where field rules, row filters or masks apply on '{Name}': it could read around them. Use a structured query.",
                statement: sql);
        }
        if (sql.Length > _options.MaxSqlLength)
        {
            return await DenyAsync(r, caller, null, [], "sql", DataQueryOutcome.Invalid,
                $"sql is limited to {_options.MaxSqlLength} characters.", "sql", statement: sql);
        }
        if (!SqlStatementGuard.IsSingleStatement(sql, out var statementProblem))
        {
            return await DenyAsync(r, caller, null, [], "sql", DataQueryOutcome.Invalid, statementProblem!, "sql", statement: sql);
        }
        var rowLimit = maxRows ?? _options.MaxSqlRows;
        if (rowLimit < 1 || rowLimit > _options.MaxSqlRows)
        {
            return await DenyAsync(r, caller, null, [], "sql", DataQueryOutcome.Invalid,
                $"max_rows must be between 1 and {_options.MaxSqlRows}.", "max_rows", statement: sql);
        }

        // The source's SQL slots are counted across the cluster, so every statement is admitted by the grain
        // (slots before the quota: a statement that never ran costs nothing).
        DataAdmission admission;
        try
        {
            admission = await Source.AdmitSqlAsync(caller, rowLimit);
        }
        catch (Exception e)
        {
            return await ReadFailedAsync(r, e, caller, null, [], "sql", sql);
        }
        if (admission.PolicyChanged && mayRetry)
        {
            return await RetryWithFreshPolicyAsync(r, fresh => ExecuteSqlCoreAsync(fresh, sql, maxRows, caller, mayRetry: false));
        }
        if (!admission.Admitted)
        {
            return await DenyAsync(r, caller, null, [], "sql", admission.Outcome, admission.Detail!, quotaReset: admission.QuotaResetAt, statement: sql);
        }
        var allowance = admission.Allowance;

        RowSet rows;
        Task<RowSet>? running = null;
        try
        {
            using var timeout = new CancellationTokenSource(_deadline);
            running = connector.ExecuteReadOnlySqlAsync(sql, allowance, _deadline, timeout.Token);
            // The answer comes at the deadline even if the source is slow to give up; the slot stays taken until it has.
            rows = await running.WaitAsync(timeout.Token);
        }
        catch (Exception e)
        {
            await SettleAsync(caller, admission, 0);
            return await ReadFailedAsync(r, e, caller, null, [], "sql", sql);
        }
        finally
        {
            ReleaseSqlSlotWhenStopped(running, caller.KeyId);
        }
        await SettleAsync(caller, admission, rows.Rows.Count);
        reporter.Read(Name, caller.KeyId, counted: false, rows: admission.Reserved > 0 ? 0 : rows.Rows.Count, hit: null);

        var json = RowJsonWriter.Write(rows, new Dictionary<string, MaskKind>(), r.Source.Masker);
        var fields = rows.Columns.Select(c => c.Name).ToArray();
        var elapsed = r.ElapsedMs;
        try
        {
            await audit.AppendAsync(Entry(caller, null, fields, "sql", AuditDecision.Allowed, null, rows.Rows.Count, elapsed, false, sql));
        }
        catch (Exception e)
        {
            logger.LogError(e, "Audit entry for SQL on {Source} could not be written; the rows are withheld", Name);
            return DataQueryResult.Refused(DataQueryOutcome.Unavailable, "The audit log cannot be written, so no data is returned.");
        }
        metrics.DataQuery(r.Label, "ok", r.Elapsed);
        return new DataQueryResult(DataQueryOutcome.Ok, Columns: rows.Columns, RowsJson: json, RowCount: rows.Rows.Count,
            MaskedFields: new Dictionary<string, MaskKind>(), LimitedByQuota: rows.Truncated && allowance < rowLimit, ElapsedMs: elapsed,
            Detail: rows.Truncated ? $"Only the first {allowance} rows were returned." : null);
    }

    private static bool HasQuota(DataQuotas quotas) => quotas.QueriesPerDay is not null || quotas.RowsPerDay is not null;

    /// <summary>The grain no longer grants what this silo's policy said: fetch the grain's policy now and decide again, once.</summary>
    private async Task<DataQueryResult> RetryWithFreshPolicyAsync(Read r, Func<Read, Task<DataQueryResult>> again)
    {
        runtime.Invalidate(Name);
        var fresh = await runtime.GetAsync(Name);
        return await again(r with { Source = fresh });
    }

    /// <summary>Gives back the rows the admission set aside and counts those read; a failure only delays that to the grain's next activation.</summary>
    private async Task SettleAsync(DataCaller caller, DataAdmission admission, int rows)
    {
        if (admission.Reserved <= 0)
        {
            return;
        }
        try
        {
            await Source.SettleAsync(caller.KeyId, admission.Reserved, rows);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Settling a read of {Source} failed; its reserved rows stay set aside until the source's grain reactivates", Name);
        }
    }

    /// <summary>
    /// Frees the SQL slots once the statement has really stopped (after the answer, when it outlived its deadline).
    /// Runs off this activation: it touches nothing of it, and must not depend on the activation still being there.
    /// </summary>
    private void ReleaseSqlSlotWhenStopped(Task? running, string keyId)
    {
        var source = Source;
        var log = logger;
        _ = Task.Run(async () =>
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
            try
            {
                await source.ReleaseSqlSlotAsync(keyId);
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Releasing a raw SQL slot failed; the source's grain frees it when it reactivates");
            }
        });
    }

    /// <summary>Touches no activation state: it may run off the scheduler (in the query cache's factory), and runs on the thread pool.</summary>
    private static Task<CachedRows> ReadRowsAsync(
        DataConnector connector, FieldMasker masker, PreparedRead read, IReadOnlyDictionary<string, MaskKind> masks, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            var rows = await connector.ReadAsync(read, cancellationToken);
            return new CachedRows(rows.Rows.Count, RowJsonWriter.Write(rows, masks, masker));
        }, cancellationToken);

    /// <summary>
    /// The caller's access to the source, or why there is none. A caller who may not see the source is answered
    /// exactly like one asking for a source that does not exist (only the audit log keeps the real reason), and that
    /// comes before anything that would tell the two apart, such as the source being disabled. Admins get the precise answer.
    /// </summary>
    private (SourceAccess? Access, Refusal? Refusal) Gate(Read r, DataCaller caller, string? table, IReadOnlyList<string> fields, string operation, string? statement = null)
    {
        var s = r.Source;
        if (!s.Policy.Exists)
        {
            return (null, Refuse(DataQueryOutcome.NotFound, NotFoundDetail, "source"));
        }
        if (!caller.IsAdmin && !caller.Permissions.Satisfies(Permissions.Read))
        {
            return (null, Refuse(DataQueryOutcome.Forbidden, $"Key {caller.KeyId} lacks the read permission.", null));
        }
        var (access, denial) = s.Resolve(caller);
        if (access is null)
        {
            return (null, caller.IsAdmin
                ? Refuse(DataQueryOutcome.Forbidden, denial!, null)
                : Refuse(DataQueryOutcome.NotFound, NotFoundDetail, "source") with { AuditDetail = denial });
        }
        if (s.Policy.Disabled)
        {
            return (null, Refuse(DataQueryOutcome.Unavailable, SourceRefusals.Disabled(Name), null));
        }
        if (s.Connector is null)
        {
            return (null, Refuse(DataQueryOutcome.Unavailable, $"Data source '{Name}' cannot start its connector: {s.ConnectorError}", null));
        }
        return (access, null);

        Refusal Refuse(DataQueryOutcome outcome, string detail, string? field) =>
            new(caller, table, fields, operation, outcome, detail, field, statement);
    }

    /// <summary>The answer for a source that does not exist, and for one the caller may not see.</summary>
    private string NotFoundDetail => SourceRefusals.NotFound(Name);

    /// <summary>The discovered schema; a source whose discovery never succeeded asks its grain to try once more.</summary>
    private async Task<IReadOnlyList<TableSchema>?> EnsureSchemaAsync(Read r)
    {
        if (r.Source.Policy.SchemaRefreshedAt is not null)
        {
            return r.Source.Policy.Tables;
        }
        if (r.Source.Connector is null)
        {
            return null;
        }
        r.Source = await runtime.GetAsync(Name, discover: true);
        return r.Source.Policy.SchemaRefreshedAt is not null && r.Source.Connector is not null ? r.Source.Policy.Tables : null;
    }

    private Task<DataQueryResult> AuditRefusalAsync(Read r, Refusal refusal) =>
        DenyAsync(r, refusal.Caller, refusal.Table, refusal.Fields, refusal.Operation, refusal.Outcome, refusal.Detail, refusal.Field,
            statement: refusal.Statement, auditDetail: refusal.AuditDetail);

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
            var missing = policy.Table.FindColumn(policy.ColumnOf(field)) is null;
            if (missing || (!isAdmin && !policy.IsVisibleField(field)))
            {
                return (DataQueryOutcome.Invalid,
                    $"Table '{policy.Table.Name}' has no field '{field}'. Fields: {string.Join(", ", policy.VisibleColumns.Select(c => c.Name))}.", where,
                    missing ? null : $"Field '{field}' of '{policy.Table.Name}' is not granted to this key.");
            }
        }
        foreach (var (field, where) in named)
        {
            var column = policy.ColumnOf(field);
            if (!policy.IsVisible(column))
            {
                return (DataQueryOutcome.Forbidden, $"Field '{field}' of '{policy.Table.Name}' is not granted to this key.", where, null);
            }
            if ((where != "fields" || column != field) && policy.IsMasked(column))
            {
                // Filtering, sorting, grouping or aggregating a masked value, or reading a member of it, would reveal it.
                return (DataQueryOutcome.Forbidden,
                    $"Field '{column}' is masked ({policy.Masks[column].ToString().ToLowerInvariant()}) and cannot be filtered, sorted, grouped, aggregated or read by member.", where, null);
            }
        }
        return null;
    }

    private async Task<DataQueryResult> ReadFailedAsync(Read r, Exception e, DataCaller caller, string? table, IReadOnlyList<string> fields,
        string operation, string? statement = null)
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
        if (r.Source.Policy.Exists)
        {
            reporter.Failed(Name);
        }
        await TryAuditAsync(Entry(caller, table, fields, operation, AuditDecision.Failed, detail, 0, r.ElapsedMs, false, statement));
        metrics.DataQuery(r.Label, OutcomeName(outcome), r.Elapsed);
        if (outcome == DataQueryOutcome.Unavailable && !caller.IsAdmin)
        {
            // The cause may name internal hosts or the node's internals: admins and the audit log get it, others do not.
            detail = $"Data source '{Name}' could not be read. The cause is logged and in the audit log.";
        }
        return DataQueryResult.Refused(outcome, detail, outcome == DataQueryOutcome.SourceError || (outcome == DataQueryOutcome.Invalid && statement is not null) ? "sql" : null);
    }

    private async Task<DataQueryResult> DenyAsync(Read r, DataCaller caller, string? table, IReadOnlyList<string> fields, string operation,
        DataQueryOutcome outcome, string detail, string? field = null, DateTimeOffset? quotaReset = null, string? statement = null,
        string? auditDetail = null)
    {
        if (r.Source.Policy.Exists)
        {
            reporter.Denied(Name, caller.KeyId);
        }
        await TryAuditAsync(Entry(caller, table, fields, operation, AuditDecision.Denied, auditDetail ?? detail, 0, r.ElapsedMs, false, statement));
        metrics.DataQuery(r.Label, OutcomeName(outcome), r.Elapsed);
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

    /// <summary>One read in progress: the runtime it decides with (replaced when it fetches a newer one) and when it started.</summary>
    private sealed record Read(SourceRuntime Source, long Started)
    {
        public SourceRuntime Source { get; set; } = Source;

        /// <summary>Fixed at the start, so a read's start and end always carry the same label.</summary>
        public string Label { get; } = Source.Policy.Exists ? Source.Policy.Name : UnknownSourceLabel;

        public TimeSpan Elapsed => Stopwatch.GetElapsedTime(Started);

        public double ElapsedMs => Elapsed.TotalMilliseconds;
    }

    /// <param name="AuditDetail">The real reason, for the audit log, when the caller is told something vaguer.</param>
    private sealed record Refusal(DataCaller Caller, string? Table, IReadOnlyList<string> Fields, string Operation,
        DataQueryOutcome Outcome, string Detail, string? Field, string? Statement, string? AuditDetail = null);
}
