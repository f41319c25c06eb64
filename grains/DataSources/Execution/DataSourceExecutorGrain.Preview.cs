using System.Diagnostics;
using Mcp.Cluster.Audit;
using Mcp.Cluster.DataSources.Caching;
using Mcp.Cluster.DataSources.Governance;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.DataSources.Execution;

/// <summary>
/// An admin's preview of what one key would see: decided by the executor's own gate and the one governance code
/// (<see cref="DataAccessPolicy"/> through the policy snapshot, <see cref="SourceAccess.ForTable"/>), read through the
/// same connector, masker and cache as the key's own structured reads, so the rows are the ones the key would get.
/// What differs is who pays and who is recorded: nothing is admitted against the key's quotas or counted as its read;
/// the read is the admin's, audited as a <c>preview</c> whose reason names the key.
/// </summary>
public sealed partial class DataSourceExecutorGrain
{
    private const string PreviewOperation = "preview";

    public async Task<DataPreview> PreviewAsync(DataCaller subject, DataCaller previewer, string? table, int limit)
    {
        // The gateway only lets admins in; checked again here, since a preview reads around the caller's own grant.
        if (!previewer.IsAdmin)
        {
            return DataPreview.Refused(DataQueryOutcome.Forbidden, "Only admin keys may preview what a key sees.");
        }
        if (limit is < 1 or > DataPreview.MaxRows)
        {
            return DataPreview.Refused(DataQueryOutcome.Invalid, $"limit must be between 1 and {DataPreview.MaxRows}.", "limit");
        }
        var started = Stopwatch.GetTimestamp();
        SourceRuntime source;
        try
        {
            source = await runtime.GetAsync(Name);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "The policy of data source {Source} could not be fetched", Name);
            return DataPreview.Refused(DataQueryOutcome.Unavailable, $"Data source '{Name}' could not be read: {e.Message}");
        }
        if (!source.Policy.Exists)
        {
            return DataPreview.Refused(DataQueryOutcome.NotFound, NotFoundDetail, "source");
        }
        var read = new Read(source, started);
        reporter.Started(Name, read.Label);
        try
        {
            return await PreviewCoreAsync(read, subject, previewer, table, limit);
        }
        finally
        {
            reporter.Ended(Name, read.Label);
        }
    }

    private async Task<DataPreview> PreviewCoreAsync(Read r, DataCaller subject, DataCaller previewer, string? tableName, int limit)
    {
        // The gate the key's own reads pass (its permissions, its grant, the source disabled); its refusal is the answer,
        // in the words the audit log would keep, since the admin may know the real reason.
        var gate = Gate(r, subject, tableName, [], PreviewOperation);
        if (gate.Access is not { } access)
        {
            var refusal = gate.Refusal!;
            return refusal.Outcome == DataQueryOutcome.Unavailable && !r.Source.Policy.Disabled
                ? DataPreview.Refused(refusal.Outcome, refusal.Detail)
                : DataPreview.NotReadable(refusal.AuditDetail ?? refusal.Detail);
        }
        var tables = await EnsureSchemaAsync(r);
        if (tables is null)
        {
            return DataPreview.Refused(DataQueryOutcome.Unavailable,
                $"Data source '{Name}' cannot be read: its schema is not available ({r.Source.Policy.SchemaError ?? r.Source.ConnectorError}).");
        }
        if (!tables.Any(t => access.ForTable(t) is not null))
        {
            return DataPreview.NotReadable($"The access of key {subject.KeyId} ({access.Basis}) covers no table of data source '{Name}'.");
        }

        IReadOnlyList<TableSchema> chosen = tables;
        if (tableName is not null)
        {
            // Matched like a query's table (by name, else by the end of its path), among all tables: the admin may know them.
            var match = tables.FirstOrDefault(t => string.Equals(t.Name, tableName, StringComparison.Ordinal))
                ?? (tables.Where(t => TableNames.EndsWithPath(t, tableName)).ToArray() is [var only] ? only : null);
            if (match is null)
            {
                return DataPreview.Refused(DataQueryOutcome.NotFound,
                    $"Data source '{Name}' has no table '{tableName}'. Tables: {string.Join(", ", tables.Select(t => t.Name))}.", "table");
            }
            chosen = [match];
        }

        var previews = new List<DataPreviewTable>();
        foreach (var table in chosen.Take(_options.MaxPreviewTables))
        {
            if (access.ForTable(table) is not { } policy)
            {
                previews.Add(new DataPreviewTable(table.Name, Readable: false,
                    table.Columns.Select(c => new DataPreviewColumn(c.Name, c.Type, Visible: false, Mask: null)).ToArray(), []));
                continue;
            }
            var (preview, failure) = await PreviewTableAsync(r, policy, subject, previewer, limit);
            if (failure is not null)
            {
                return failure;
            }
            previews.Add(preview!);
        }
        metrics.DataQuery(r.Label, "ok", r.Elapsed);
        return new DataPreview(DataQueryOutcome.Ok, Readable: true, Basis: access.Basis, Tables: previews,
            Truncated: chosen.Count > _options.MaxPreviewTables);
    }

    /// <summary>
    /// The first rows of one table as the key's own query of it without filters, order or fields would return them:
    /// its visible fields, its grant's row filters, its masks, and the cache entry such a query would use.
    /// </summary>
    private async Task<(DataPreviewTable? Table, DataPreview? Failure)> PreviewTableAsync(
        Read r, TablePolicy policy, DataCaller subject, DataCaller previewer, int limit)
    {
        var table = policy.Table;
        var columns = table.Columns
            .Select(c => new DataPreviewColumn(c.Name, c.Type, policy.IsVisible(c.Name), policy.Masks.TryGetValue(c.Name, out var mask) ? mask : null))
            .ToArray();
        var shown = new DataPreviewTable(table.Name, Readable: true, columns, policy.RowFilters);
        var fields = policy.VisibleColumns.Select(c => c.Name).ToArray();
        if (fields.Length == 0)
        {
            // Asking the source for no fields would read every one of them; there is nothing the key would see.
            return (shown with { RowsJson = "[]"u8.ToArray(), Problem = $"No field of '{table.Name}' is visible to key {subject.KeyId}." }, null);
        }
        var connector = r.Source.Connector!;
        var query = new DataQuery(table.Name, fields, policy.RowFilters, [], limit, 0);
        var (read, problem) = connector.Prepare(query, table, _limits.WithRowFilters(policy.RowFilters.Count));
        if (read is null)
        {
            return (shown with { RowsJson = "[]"u8.ToArray(), Problem = problem!.Detail }, null);
        }

        CachedRows rows;
        bool hit;
        var ttl = r.Source.Policy.CacheTtl;
        var masker = r.Source.Masker;
        try
        {
            using var timeout = new CancellationTokenSource(_deadline);
            if (ttl > TimeSpan.Zero)
            {
                var key = DataQueryCache.Key(Name, r.Source.Policy.CacheScope, r.Source.Policy.Generation, read.Fingerprint, policy.Fingerprint);
                (rows, hit) = await cache.GetOrReadAsync(Name, key, ttl, ct => ReadRowsAsync(connector, masker, read, policy.Masks, ct), timeout.Token);
            }
            else
            {
                (rows, hit) = (await ReadRowsAsync(connector, masker, read, policy.Masks, timeout.Token), false);
            }
        }
        catch (Exception e)
        {
            var failed = await ReadFailedAsync(r, e, previewer, table.Name, fields, PreviewOperation);
            return (null, DataPreview.Refused(failed.Outcome, failed.Detail!, failed.Field));
        }
        // The admin's read, not the key's: its counters and quotas stay as they are.
        reporter.Read(Name, previewer.KeyId, counted: true, rows: rows.Count, hit);
        metrics.CacheLookup(r.Label, hit);
        try
        {
            await audit.AppendAsync(Entry(previewer, table.Name, fields, PreviewOperation, AuditDecision.Allowed,
                PreviewReason(subject), rows.Count, r.ElapsedMs, hit, null));
        }
        catch (Exception e)
        {
            logger.LogError(e, "Audit entry for a preview of {Source} could not be written; the rows are withheld", Name);
            return (null, DataPreview.Refused(DataQueryOutcome.Unavailable, "The audit log cannot be written, so no data is returned."));
        }
        return (shown with { RowsJson = rows.Json, RowCount = rows.Count, Cached = hit }, null);
    }

    /// <summary>What a preview's audit entry says besides the admin who read: whose view it was.</summary>
    private static string PreviewReason(DataCaller subject) => $"preview as {subject.KeyId} (owner {subject.Owner})";
}
