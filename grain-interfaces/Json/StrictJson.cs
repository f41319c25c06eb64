using System.Text.Json;

namespace Mcp.Cluster.Json;

/// <summary>
/// What JSON the cluster accepts from callers, beyond syntax: no property named twice in one object (which value
/// wins differs between parsers, so the text is ambiguous) and no string that is not valid UTF-16 (a lone
/// surrogate escape such as <c>"\ud800"</c> parses, but cannot be read as a string; nor can raw bytes that are not
/// UTF-8). All are the caller's
/// mistake; finding them up front keeps them from surfacing later as a backend failure.
/// </summary>
public static class StrictJson
{
    public const int MaxDepth = 64;

    public static JsonDocumentOptions DocumentOptions { get; } = new() { AllowDuplicateProperties = false, MaxDepth = MaxDepth };

    /// <summary>Checks UTF-8 JSON text in one pass; null when it is well-formed and unambiguous.</summary>
    public static StrictJsonProblem? Check(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth });
        // The property names seen in each open object, innermost last; a set is only made for an object that has names.
        var objects = new Stack<HashSet<string>?>();
        // A name given twice is reported only once the text has proved to be JSON at all, so "not JSON" wins.
        StrictJsonProblem? duplicate = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        objects.Push(null);
                        continue;
                    case JsonTokenType.EndObject:
                        objects.Pop();
                        continue;
                    case not (JsonTokenType.String or JsonTokenType.PropertyName):
                        continue;
                }
                // Read does not validate the UTF-8 inside strings; reading one later would fail (a 500 deep in a
                // handler), so raw bytes that are not UTF-8 (0xff, encoded surrogates, overlong or cut-off
                // sequences) are refused here.
                if (!System.Text.Unicode.Utf8.IsValid(reader.ValueSpan))
                {
                    return new StrictJsonProblem(StrictJsonProblemKind.Ambiguous,
                        $"The JSON holds a string that is not valid UTF-8 at byte {reader.TokenStartIndex}.");
                }
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    // Names compare unescaped, as a parser would read them; this also finds a lone surrogate escape.
                    var name = reader.GetString()!;
                    var names = objects.Pop() ?? new HashSet<string>(StringComparer.Ordinal);
                    objects.Push(names);
                    if (!names.Add(name))
                    {
                        duplicate ??= new StrictJsonProblem(StrictJsonProblemKind.Ambiguous,
                            $"The JSON names a property twice in one object: '{name}' at byte {reader.TokenStartIndex}.");
                    }
                }
                else if (reader.ValueIsEscaped)
                {
                    // Only escapes can spell a lone surrogate.
                    _ = reader.GetString();
                }
            }
        }
        catch (JsonException e)
        {
            return new StrictJsonProblem(StrictJsonProblemKind.Syntax, Describe(e));
        }
        catch (InvalidOperationException)
        {
            return new StrictJsonProblem(StrictJsonProblemKind.Ambiguous,
                $"The JSON holds a string that is not valid UTF-16 (a lone surrogate escape) at byte {reader.TokenStartIndex}.");
        }
        return duplicate;
    }

    /// <summary>Checks JSON text held as a string.</summary>
    public static StrictJsonProblem? Check(string json) => Check(System.Text.Encoding.UTF8.GetBytes(json));

    private static string Describe(JsonException e)
    {
        var message = e.Message;
        var tail = message.IndexOf(" Path:", StringComparison.Ordinal);
        return tail > 0 ? message[..tail] : message;
    }
}

public enum StrictJsonProblemKind
{
    /// <summary>Not JSON at all.</summary>
    Syntax,

    /// <summary>Syntactically JSON, but with a duplicate property or an invalid string (lone surrogate, invalid UTF-8).</summary>
    Ambiguous,
}

public sealed record StrictJsonProblem(StrictJsonProblemKind Kind, string Detail);
