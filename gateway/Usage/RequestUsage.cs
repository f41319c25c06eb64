using Mcp.Cluster.DataSources;

namespace Mcp.Cluster.Gateway.Usage;

/// <summary>
/// What an endpoint learned while serving a request (the model it resolved, tokens, rows, cache result), carried on
/// the HTTP context so <see cref="UsageMiddleware"/> can put it into the request's usage event.
/// </summary>
public sealed class RequestUsage
{
    /// <summary>Set once the key is known to be genuine, even when the request is then refused (rate limit, quota, permission).</summary>
    public string? KeyId { get; set; }
    public string? ModelId { get; set; }
    public string? Source { get; set; }
    public long PromptTokens { get; set; }
    public long CompletionTokens { get; set; }
    public long Rows { get; set; }
    public bool? CacheHit { get; set; }

    /// <summary>
    /// A read of a data source. Refusals for an unknown source are not attributed to it: names callers invent must not
    /// become usage scopes.
    /// </summary>
    public void RecordRead(string source, DataQueryResult result, bool cacheable)
    {
        if (result.Outcome == DataQueryOutcome.NotFound)
        {
            return;
        }
        Source = source;
        Rows += result.RowCount;
        if (cacheable && result.Outcome == DataQueryOutcome.Ok)
        {
            CacheHit = result.Cached;
        }
    }

    public void AddTokens(long prompt, long completion)
    {
        PromptTokens += prompt;
        CompletionTokens += completion;
    }
}
