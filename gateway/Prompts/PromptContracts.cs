using System.Text.Json.Serialization;
using Mcp.Cluster.Prompts;

namespace Mcp.Cluster.Gateway.Prompts;

/// <summary>Body of <c>POST /prompts</c>. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PromptRequest
{
    /// <summary>Letters, digits, '.', '_' and '-' (1-64), starting with a letter or digit.</summary>
    public string? Name { get; init; }

    public string? Title { get; init; }

    public string? Description { get; init; }

    public PromptArgumentRequest[]? Arguments { get; init; }

    /// <summary>The messages, with <c>{{argument}}</c> placeholders; role <c>user</c> or <c>assistant</c>.</summary>
    public PromptMessageRequest[]? Messages { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PromptArgumentRequest
{
    public string? Name { get; init; }

    public string? Description { get; init; }

    public bool? Required { get; init; }

    /// <summary><c>string</c> (default), <c>number</c>, <c>integer</c> or <c>boolean</c>.</summary>
    public string? Type { get; init; }

    /// <summary>The only values allowed; argument completion offers them.</summary>
    public string[]? Values { get; init; }

    public string? Default { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PromptMessageRequest
{
    public string? Role { get; init; }

    public string? Text { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RenderPromptRequest
{
    public Dictionary<string, string>? Arguments { get; init; }
}

public sealed record PromptArgumentResponse(string Name, string? Description, bool Required, string Type, IReadOnlyList<string>? Values, string? Default);

public sealed record PromptMessageResponse(string Role, string Text);

public sealed record PromptResponse(
    string Name, string? Title, string? Description, IReadOnlyList<PromptArgumentResponse> Arguments, IReadOnlyList<PromptMessageResponse> Messages,
    string Owner, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static PromptResponse From(PromptInfo p) => new(p.Name, p.Definition.Title, p.Definition.Description,
        p.Definition.Arguments.Select(a => new PromptArgumentResponse(a.Name, a.Description, a.Required, a.Type, a.Values, a.Default)).ToArray(),
        p.Definition.Messages.Select(m => new PromptMessageResponse(m.Role, m.Text)).ToArray(), p.Owner, p.CreatedAt, p.UpdatedAt);
}

public sealed record PromptListResponse(IReadOnlyList<PromptResponse> Prompts, int Total, int Offset, int Limit);

public sealed record RenderedPromptResponse(string Name, string? Description, IReadOnlyList<PromptMessageResponse> Messages);
