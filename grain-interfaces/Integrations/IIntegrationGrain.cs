using Orleans.Concurrency;

namespace Mcp.Cluster.Integrations;

/// <summary>
/// One upstream MCP server, keyed by its namespace (its tools appear as <c>{namespace}.{tool}</c>). The grain holds
/// the MCP client connection, so every gateway proxies through the same session with the upstream.
/// </summary>
[Alias("mcp.integration")]
public interface IIntegrationGrain : IGrainWithStringKey
{
    /// <summary>
    /// Registers and connects; a server that cannot be reached is refused (nothing is stored). <paramref name="byAdmin"/>
    /// decides what the URL may point at and whether headers may reference the silo's environment.
    /// </summary>
    [Alias("register")]
    Task<IntegrationCommandResult> RegisterAsync(IntegrationDefinition definition, string createdBy, bool byAdmin);

    [ReadOnly, AlwaysInterleave, Alias("get")]
    Task<IntegrationInfo?> GetAsync();

    [Alias("delete")]
    Task<bool> DeleteAsync();

    [Alias("refresh")]
    Task<IntegrationCommandResult> RefreshAsync();

    [AlwaysInterleave, Alias("catalog")]
    Task<IntegrationCatalog?> GetCatalogAsync();

    /// <summary>Calls an upstream tool, streaming its progress reports and then its result; cancelling cancels the upstream call.</summary>
    [AlwaysInterleave, Alias("call-tool")]
    IAsyncEnumerable<IntegrationCallEvent> CallToolAsync(string tool, string argumentsJson, CancellationToken cancellationToken);

    /// <summary>
    /// The calling client's answer to a request the upstream made during a call (see <see cref="IntegrationClientMessage"/>):
    /// the JSON-RPC result, or the error object when the client refused or could not answer.
    /// </summary>
    [AlwaysInterleave, Alias("answer-client-request")]
    Task AnswerClientRequestAsync(string requestId, string? resultJson, string? errorJson);

    /// <summary>Reads an upstream resource; the answer is the upstream ReadResourceResult as JSON.</summary>
    [AlwaysInterleave, Alias("read-resource")]
    Task<string> ReadResourceAsync(string uri, CancellationToken cancellationToken);

    /// <summary>Asks the upstream for argument completions; the request and the answer are protocol JSON (CompleteRequestParams, CompleteResult).</summary>
    [AlwaysInterleave, Alias("complete")]
    Task<string> CompleteAsync(string requestJson, CancellationToken cancellationToken);

    /// <summary>Gets an upstream prompt; the answer is the upstream GetPromptResult as JSON.</summary>
    [AlwaysInterleave, Alias("get-prompt")]
    Task<string> GetPromptAsync(string prompt, IReadOnlyDictionary<string, string> arguments, CancellationToken cancellationToken);
}
