using System.Text.Json;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.DataSources.InMemory;

/// <summary>
/// Reads members of the JSON values of one read's rows, as the SQL sources do: a member of another type than the
/// read asks for is null, and so is one under a value that is not JSON. Each value is parsed once per read.
/// </summary>
public sealed class JsonMembers
{
    private readonly Dictionary<object, JsonElement?> _parsed = new(ReferenceEqualityComparer.Instance);

    public object? Read(object? value, IReadOnlyList<string> members, MemberUse use)
    {
        if (Navigate(value, members) is not { } member || member.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }
        return use switch
        {
            MemberUse.Json => new RawJson(member.GetRawText()),
            MemberUse.Number => member.ValueKind == JsonValueKind.Number ? Number(member) : null,
            MemberUse.Text => member.ValueKind == JsonValueKind.String ? member.GetString() : null,
            MemberUse.Boolean => member.ValueKind is JsonValueKind.True or JsonValueKind.False ? member.GetBoolean() : null,
            MemberUse.Order => member.ValueKind switch
            {
                // Numbers before text before booleans before structures, like PostgreSQL's jsonb order within each kind.
                JsonValueKind.Number => new OrderKey(0, Number(member)),
                JsonValueKind.String => new OrderKey(1, member.GetString()!),
                JsonValueKind.True or JsonValueKind.False => new OrderKey(2, member.GetBoolean()),
                _ => new OrderKey(3, member.GetRawText()),
            },
            _ => member.GetRawText(),
        };
    }

    private static object Number(JsonElement member) =>
        member.TryGetInt64(out var integer) ? integer : member.TryGetDecimal(out var number) ? number : member.GetDouble();

    private JsonElement? Navigate(object? value, IReadOnlyList<string> members)
    {
        if (value is null)
        {
            return null;
        }
        if (!_parsed.TryGetValue(value, out var root))
        {
            root = Parse(value switch { RawJson raw => raw.Json, string text => text, _ => null });
            _parsed[value] = root;
        }
        if (root is not { } current)
        {
            return null;
        }
        foreach (var member in members)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(member, out current))
            {
                return null;
            }
        }
        return current;
    }

    private static JsonElement? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<JsonElement>(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A member's value to sort by: its kind first, then the value within the kind.</summary>
public sealed record OrderKey(int Rank, object Value);
