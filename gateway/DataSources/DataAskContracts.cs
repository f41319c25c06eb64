using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary>Body of <c>POST /api/data/ask</c>: a question in plain language, answered with a structured query and its rows.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DataAskRequest
{
    /// <summary>1 to 1000 characters: "Show me active jobs for today".</summary>
    [Required]
    public string? Question { get; init; }

    /// <summary>Omitted: the source (among those the key may read) the question fits best.</summary>
    public string? Source { get; init; }

    /// <summary>A registered chat model (id, name, name@version or name@alias) to translate with instead of the built-in translator.</summary>
    public string? Model { get; init; }

    /// <summary>At most this many rows (1–1000); otherwise the translation's own limit or the default 100.</summary>
    public int? Limit { get; init; }
}

/// <summary>Body of <c>POST /api/datasources/{name}/examples</c>: a question and the structured query that answers it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DataExampleRequest
{
    [Required]
    public string? Question { get; init; }

    /// <summary>The structured query as <c>POST /api/data/query</c> takes it (without <c>source</c>), naming its table.</summary>
    [Required]
    public JsonElement? Query { get; init; }
}
