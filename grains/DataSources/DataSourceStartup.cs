using Mcp.Cluster.Catalogs;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Samples;
using Mcp.Cluster.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// When a silo becomes active: in local mode creates the sample databases and registers <c>jobs_db</c> and
/// <c>homebuilders_db</c> once, so a fresh install has data to query; then wakes every registered source so health
/// loops run without waiting for traffic.
/// </summary>
public sealed class DataSourceStartup(
    IGrainFactory grains,
    IOptions<DataSourceGrainOptions> options,
    IOptions<McpClusterOptions> cluster,
    TimeProvider time,
    ILogger<DataSourceStartup> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe<DataSourceStartup>(ServiceLifecycleStage.Active, OnStartAsync, _ => Task.CompletedTask);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task RunAsync()
    {
        try
        {
            var catalog = grains.GetGrain<INameCatalogGrain>(NameCatalogs.DataSources);
            if (cluster.Value.Mode == ClusterMode.Local && options.Value.SeedSamples)
            {
                var upgraded = SampleDatabases.EnsureCreated(cluster.Value.DataDirectory, time.GetUtcNow());
                var existing = await catalog.GetNamesAsync();
                foreach (var (name, file, definition) in Samples())
                {
                    if (!existing.Contains(name))
                    {
                        var result = await grains.GetGrain<IDataSourceGrain>(name).RegisterAsync(definition, "system");
                        logger.LogInformation("Sample data source {Source}: {Outcome}", name, result.Outcome);
                    }
                    else if (upgraded.Contains(file))
                    {
                        // The stored schema describes the earlier file; discover the new one (and drop cached results).
                        var result = await grains.GetGrain<IDataSourceGrain>(name).RefreshAsync("system");
                        logger.LogInformation("Sample {File} made again in the user guide's schema (the earlier one is kept beside it); {Source} refreshed: {Outcome}",
                            file, name, result.Outcome);
                    }
                }
            }
            var names = await catalog.GetNamesAsync();
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16 },
                async (name, _) => await grains.GetGrain<IDataSourceGrain>(name).GetAsync());
            logger.LogInformation("Woke {Count} data sources", names.Count);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Preparing data sources failed; they start on their first request instead");
        }
    }

    private IEnumerable<(string Name, string File, DataSourceDefinition Definition)> Samples()
    {
        var ttl = options.Value.DefaultCacheTtl;
        yield return ("jobs_db", SampleDatabases.JobsFile, new DataSourceDefinition(SqliteConnector.TypeName,
            "Sample job board (SQLite, shipped with MCP Cluster): jobs(job_id, title, company, location, salary_range, requirements, posted_date).",
            $$"""{"path":"{{SampleDatabases.JobsFile}}"}""", DataAccessDefault.Read, new Dictionary<string, MaskKind>(),
            DataQuotas.Unlimited, ttl, null));
        yield return ("homebuilders_db", SampleDatabases.HomebuildersFile, new DataSourceDefinition(SqliteConnector.TypeName,
            "Sample home builders (SQLite, shipped with MCP Cluster): builders and properties(property_id, builder_id, location, specs, pricing, construction_status).",
            $$"""{"path":"{{SampleDatabases.HomebuildersFile}}"}""", DataAccessDefault.Read,
            new Dictionary<string, MaskKind> { ["builders.contact_email"] = MaskKind.Partial, ["builders.phone"] = MaskKind.Redact },
            DataQuotas.Unlimited, ttl, null));
    }
}
