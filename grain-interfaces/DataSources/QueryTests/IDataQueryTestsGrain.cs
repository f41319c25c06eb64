namespace Mcp.Cluster.DataSources.QueryTests;

/// <summary>
/// One source's saved query tests (keyed by the source's name). Runs go through the source's ordinary executor as the
/// admin who asks, so they are governed, audited and metered like any read.
/// </summary>
[Alias("mcp.datasource-tests")]
public interface IDataQueryTestsGrain : IGrainWithStringKey
{
    [Alias("save")]
    Task<DataQueryTestSaved> SaveAsync(DataQueryTestDraft draft, DataCaller caller);

    /// <summary>The tests, by name; null when the source does not exist.</summary>
    [Alias("list")]
    Task<IReadOnlyList<DataQueryTest>?> ListAsync();

    [Alias("delete")]
    Task<bool> DeleteAsync(string name);

    /// <summary>Runs every test, or the one named; null when the source or that test does not exist.</summary>
    [Alias("run")]
    Task<DataQueryTestRun?> RunAsync(string? name, DataCaller caller);

    /// <summary>Forgets every test (the source was deleted).</summary>
    [Alias("clear")]
    Task ClearAsync();
}
