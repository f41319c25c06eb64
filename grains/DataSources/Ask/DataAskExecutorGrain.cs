using Orleans.Concurrency;

namespace Mcp.Cluster.DataSources.Ask;

[StatelessWorker, Reentrant]
[GrainType("datasource-ask")]
public sealed class DataAskExecutorGrain : Grain, IDataAskExecutorGrain
{
    public Task<DataTranslation> TranslateAsync(string question, DataCaller caller) =>
        Task.FromResult(new DataTranslation(this.GetPrimaryKeyString(), null, 0, "", "builtin", Outcome: DataQueryOutcome.Invalid,
            Detail: "Not built yet."));
}
