using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// Discovers one source's schema through the grain's connector: one discovery at a time, shared by every caller that
/// asks while it runs; a schema that differs from the stored one replaces it and starts a new generation (so cached
/// results of the old one are never served). Owned by the source's grain and only touched on its scheduler.
/// </summary>
public sealed class SchemaDiscovery(
    string source,
    Func<DataSourceState> state,
    DataSourceConnection connection,
    DataSourcePolicyIssuer policy,
    DataSourceStateWriter writer,
    DataSourceGrainOptions options,
    Query.QueryLimits limits,
    TimeProvider time,
    ILogger logger)
{
    private Task<string?>? _running;

    /// <summary>Why the last discovery failed, if it did.</summary>
    public string? Error { get; private set; }

    /// <summary>Runs one discovery, or joins the one running; returns the error, if any.</summary>
    public Task<string?> DiscoverOnceAsync()
    {
        if (_running is { IsCompleted: false } running)
        {
            return running;
        }
        return _running = DiscoverAsync();
    }

    /// <summary>The discovered schema, discovering it first if that never succeeded; null when it cannot be had.</summary>
    public async Task<IReadOnlyList<TableSchema>?> EnsureAsync()
    {
        if (state().SchemaRefreshedAt is not null)
        {
            return state().Tables;
        }
        if (connection.Connector is null)
        {
            return null;
        }
        var error = await DiscoverOnceAsync();
        return error is null ? state().Tables : null;
    }

    /// <summary>Discovers again; true when that succeeded and the schema changed.</summary>
    public async Task<bool> RefreshAsync()
    {
        var generation = state().Generation;
        return await DiscoverOnceAsync() is null && state().Generation != generation;
    }

    public static bool SameSchema(IReadOnlyList<TableSchema> a, IReadOnlyList<TableSchema> b)
    {
        return a.Count == b.Count && a.Zip(b).All(p => p.First.Name == p.Second.Name
            && p.First.Path.SequenceEqual(p.Second.Path) && p.First.Columns.SequenceEqual(p.Second.Columns)
            && SameIndexes(p.First.Indexes, p.Second.Indexes));

        // Lists compare by reference in records: by value here, so a refresh that finds the same indexes keeps the generation.
        static bool SameIndexes(IReadOnlyList<IReadOnlyList<string>>? x, IReadOnlyList<IReadOnlyList<string>>? y) =>
            x is null || y is null ? x is null && y is null : x.Count == y.Count && x.Zip(y).All(p => p.First.SequenceEqual(p.Second));
    }

    /// <summary>
    /// Reads a sample of every table (the first <see cref="TableProfiler.SampleRows"/> rows, through the same compiled
    /// reads callers get) and profiles it. A table that cannot be sampled gets no profile, and when discovery's time runs
    /// out the rest get none: discovery still succeeds.
    /// </summary>
    private async Task<List<TableProfile>> ProfileAsync(Connectors.DataConnector connector, IReadOnlyList<TableSchema> tables, CancellationToken cancellationToken)
    {
        var profiles = new List<TableProfile>();
        var sample = Math.Min(TableProfiler.SampleRows, limits.MaxLimit);
        foreach (var table in tables.Take(MaxProfiledTables))
        {
            try
            {
                var (read, _) = connector.Prepare(new DataQuery(table.Name, null, [], [], sample, 0), table, limits);
                if (read is null)
                {
                    continue;
                }
                profiles.Add(TableProfiler.Profile(table, await connector.ReadAsync(read, cancellationToken)));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The schema is what discovery is for: out of time, the tables sampled so far keep their profiles.
                logger.LogInformation("Profiling data source {Source} ran out of time after {Tables} tables", source, profiles.Count);
                break;
            }
            catch (Exception e)
            {
                logger.LogInformation(e, "Table {Table} of data source {Source} could not be sampled for its profile", table.Name, source);
            }
        }
        return profiles;
    }

    private const int MaxProfiledTables = 50;

    private async Task<string?> DiscoverAsync()
    {
        if (connection.Connector is not { } connector)
        {
            return connection.Error;
        }
        try
        {
            using var timeout = new CancellationTokenSource(options.SchemaDiscoveryTimeout, time);
            var tables = await connector.DiscoverAsync(timeout.Token);
            var profiles = await ProfileAsync(connector, tables, timeout.Token);
            var s = state();
            s.Profiles = profiles;
            if (!SameSchema(s.Tables, tables))
            {
                // Replaced, never changed in place: a write in progress may be serializing the old list.
                s.Tables = [.. tables];
                s.Generation++;
            }
            s.SchemaRefreshedAt = time.GetUtcNow();
            Error = null;
            writer.MarkDirty();
            policy.Changed();
            return null;
        }
        catch (Exception e)
        {
            Error = e is OperationCanceledException ? "schema discovery timed out" : e.Message;
            policy.Changed();
            logger.LogWarning(e, "Schema discovery of data source {Source} failed", source);
            return Error;
        }
    }
}
