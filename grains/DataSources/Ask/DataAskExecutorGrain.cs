using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.DataSources.Execution;
using Mcp.Cluster.DataSources.Governance;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Mcp.Cluster.DataSources.Ask;

/// <summary>
/// Translates questions about one source on this silo, from the policy the silo already holds for its reads
/// (<see cref="DataSourceRuntime"/>): the caller's access is resolved by the one governance code, the translator sees
/// only what that access shows (<see cref="GovernedAskSchema"/>), and nothing is read here; the query it makes is run
/// by the source's executor like any other, with its checks, masks, quotas, cache and audit.
/// </summary>
[StatelessWorker, Reentrant]
[GrainType("datasource-ask")]
public sealed class DataAskExecutorGrain(DataSourceRuntime runtime, ILogger<DataAskExecutorGrain> logger) : Grain, IDataAskExecutorGrain
{
    private string Name => this.GetPrimaryKeyString();

    public async Task<DataTranslation> TranslateAsync(string question, DataCaller caller)
    {
        var (schema, refusal) = await SchemaForAsync(caller);
        return schema is null ? refusal! : BuiltInTranslator.Translate(question, schema);
    }

    public async Task<AskSchema?> GetSchemaAsync(DataCaller caller) => (await SchemaForAsync(caller)).Schema;

    private async Task<(AskSchema? Schema, DataTranslation? Refusal)> SchemaForAsync(DataCaller caller)
    {
        SourceRuntime source;
        try
        {
            source = await runtime.GetAsync(Name);
            if (source.Policy.Exists && source.Policy.SchemaRefreshedAt is null && source.Connector is not null)
            {
                source = await runtime.GetAsync(Name, discover: true);
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "The policy of data source {Source} could not be fetched for a question", Name);
            return (null, Refused(DataQueryOutcome.Unavailable, $"Data source '{Name}' could not be read."));
        }
        if (!source.Policy.Exists)
        {
            return (null, Refused(DataQueryOutcome.NotFound, SourceRefusals.NotFound(Name)));
        }
        if (!caller.IsAdmin && !caller.Permissions.Satisfies(Permissions.Read))
        {
            return (null, Refused(DataQueryOutcome.Forbidden, $"Key {caller.KeyId} lacks the read permission."));
        }
        if (source.Resolve(caller).Access is not { } access)
        {
            // Like a read: a source the caller may not see is one that does not exist.
            return (null, Refused(DataQueryOutcome.NotFound, SourceRefusals.NotFound(Name)));
        }
        if (source.Policy.Disabled)
        {
            return (null, Refused(DataQueryOutcome.Unavailable, SourceRefusals.Disabled(Name)));
        }
        if (source.Policy.SchemaRefreshedAt is null)
        {
            return (null, Refused(DataQueryOutcome.Unavailable, $"Data source '{Name}' has no schema yet ({source.Policy.SchemaError ?? source.ConnectorError ?? "not discovered"})."));
        }
        return (GovernedAskSchema.Build(source.Policy, access), null);
    }

    private DataTranslation Refused(DataQueryOutcome outcome, string detail) =>
        new(Name, null, 0, detail, "builtin", Outcome: outcome, Detail: detail);
}
