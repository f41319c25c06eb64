using System.ComponentModel.DataAnnotations;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>How the MCP list methods (<c>tools/list</c>, <c>resources/list</c>, …) page their answers (section <c>Mcp</c>).</summary>
public sealed class McpPagingOptions
{
    /// <summary>
    /// Items per page of a list answer; the rest follows with the answer's <c>nextCursor</c>. 0 answers every item at
    /// once, for deployments whose clients read only the first page.
    /// </summary>
    [Range(0, 10_000)]
    public int PageSize { get; set; } = 100;
}
