namespace Mcp.Cluster.Usage;

/// <summary>
/// One minute (or, merged, one step) of a scope's usage. Errors are classed as in <see cref="UsageTotals"/>: 5xx are
/// server errors, other 4xx client errors.
/// </summary>
[GenerateSerializer, Alias("mcp.UsageMinute")]
public sealed class UsageMinute
{
    [Id(0)] public long Requests { get; set; }
    [Id(1)] public long ServerErrors { get; set; }
    [Id(2)] public long ClientErrors { get; set; }
    [Id(3)] public long PromptTokens { get; set; }
    [Id(4)] public long CompletionTokens { get; set; }
    [Id(5)] public long Rows { get; set; }
    [Id(6)] public MinuteLatencyHistogram Latency { get; set; } = new();

    public void Add(UsageEvent e)
    {
        Requests++;
        if (e.IsServerError)
        {
            ServerErrors++;
        }
        else if (e.IsClientError)
        {
            ClientErrors++;
        }
        PromptTokens += e.PromptTokens;
        CompletionTokens += e.CompletionTokens;
        Rows += e.Rows;
        Latency.Record(e.LatencyMs);
    }

    public void Merge(UsageMinute other)
    {
        Requests += other.Requests;
        ServerErrors += other.ServerErrors;
        ClientErrors += other.ClientErrors;
        PromptTokens += other.PromptTokens;
        CompletionTokens += other.CompletionTokens;
        Rows += other.Rows;
        Latency.Merge(other.Latency);
    }

    public UsageMinute Copy() => new()
    {
        Requests = Requests,
        ServerErrors = ServerErrors,
        ClientErrors = ClientErrors,
        PromptTokens = PromptTokens,
        CompletionTokens = CompletionTokens,
        Rows = Rows,
        Latency = Latency.Copy(),
    };
}
