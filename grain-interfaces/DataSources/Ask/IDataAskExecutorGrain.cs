namespace Mcp.Cluster.DataSources;

/// <summary>
/// Turns plain-language questions about one source (keyed by its name) into structured queries, on the silo that
/// receives them: a stateless worker using the policy its source's grain hands out, so a question only ever sees the
/// tables, fields and values the caller may read, and the examples admins taught that fit within them.
/// </summary>
[Alias("mcp.datasource-ask")]
public interface IDataAskExecutorGrain : IGrainWithStringKey
{
    /// <summary>The built-in translator (taught examples, then pattern rules); the query is not run.</summary>
    [Alias("translate")]
    Task<DataTranslation> TranslateAsync(string question, DataCaller caller);

    /// <summary>
    /// What <paramref name="caller"/> may ask about here (for a chat model's prompt); null for a source that does not
    /// exist or that the caller may not read (told apart only in the audit log of the read that follows).
    /// </summary>
    [Alias("schema")]
    Task<AskSchema?> GetSchemaAsync(DataCaller caller);
}
