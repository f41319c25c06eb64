namespace Mcp.Cluster.DataSources.Query;

/// <summary>
/// A SQL statement as tokens, the way the engines read it: every literal (quoted text, E'…', X'…' and other prefixed
/// strings, dollar-quoted text, numbers) is one <c>?</c>, comments are gone (PostgreSQL's nested ones too), quoted
/// identifiers keep their quotes, and a literal or comment that never ends takes the rest of the text. The raw-SQL
/// shape of query insights and the source of a statement sent without one are both read from these tokens.
/// </summary>
public static class SqlTokens
{
    private const string OperatorChars = "<>=!|&+-*/%~^";

    public static List<string> Read(string sql)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var next = i + 1 < sql.Length ? sql[i + 1] : '\0';
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && next == '-')
            {
                i = EndOfLine(sql, i);
            }
            else if (c == '/' && next == '*')
            {
                i = EndOfBlockComment(sql, i + 2);
            }
            else if (c == '\'')
            {
                i = EndOfString(sql, i + 1, backslashEscapes: false);
                tokens.Add("?");
            }
            else if (c is '"' or '`')
            {
                var end = EndOfQuoted(sql, i + 1, c);
                tokens.Add(sql[i..end]);
                i = end;
            }
            else if (c == '[')
            {
                var close = sql.IndexOf(']', i + 1);
                var end = close < 0 ? sql.Length : close + 1;
                tokens.Add(sql[i..end]);
                i = end;
            }
            else if (c == '$' && char.IsAsciiDigit(next))
            {
                // $1: a positional parameter, not a value.
                var end = i + 1;
                while (end < sql.Length && char.IsAsciiDigit(sql[end])) end++;
                tokens.Add(sql[i..end]);
                i = end;
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var close = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = close < 0 ? sql.Length : close + tag.Length;
                tokens.Add("?");
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(next)))
            {
                i = EndOfNumber(sql, i);
                tokens.Add("?");
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var end = i + 1;
                while (end < sql.Length && (char.IsLetterOrDigit(sql[end]) || sql[end] is '_' or '$')) end++;
                var word = sql[i..end];
                if (end < sql.Length && sql[end] == '\'' && IsStringPrefix(word))
                {
                    // E'…' takes backslash escapes (PostgreSQL); X'…', B'…', N'…' do not.
                    i = EndOfString(sql, end + 1, backslashEscapes: word is "E" or "e");
                    tokens.Add("?");
                }
                else
                {
                    tokens.Add(word);
                    i = end;
                }
            }
            else if (OperatorChars.Contains(c))
            {
                var end = i + 1;
                while (end < sql.Length && OperatorChars.Contains(sql[end]) && !(sql[end] == '-' && end + 1 < sql.Length && sql[end + 1] == '-')
                    && !(sql[end] == '/' && end + 1 < sql.Length && sql[end + 1] == '*'))
                {
                    end++;
                }
                tokens.Add(sql[i..end]);
                i = end;
            }
            else
            {
                tokens.Add(c.ToString());
                i++;
            }
        }
        return tokens;
    }

    /// <summary>A quoted identifier token's name (<c>"job""s"</c> → <c>job"s</c>, <c>[jobs]</c> → <c>jobs</c>), or null for any other token.</summary>
    public static string? QuotedName(string token) => token switch
    {
        ['"', .. var inner, '"'] => inner.Replace("\"\"", "\"", StringComparison.Ordinal),
        ['`', .. var inner, '`'] => inner.Replace("``", "`", StringComparison.Ordinal),
        ['[', .. var inner, ']'] => inner,
        _ => null,
    };

    private static bool IsStringPrefix(string word) => word is "E" or "e" or "X" or "x" or "B" or "b" or "N" or "n";

    private static int EndOfLine(string sql, int i)
    {
        var end = sql.IndexOf('\n', i);
        return end < 0 ? sql.Length : end + 1;
    }

    private static int EndOfBlockComment(string sql, int i)
    {
        // PostgreSQL nests block comments; SQLite does not. Counting nesting ends no later than SQLite would when there is none.
        var depth = 1;
        while (i < sql.Length)
        {
            if (sql[i] == '*' && i + 1 < sql.Length && sql[i + 1] == '/')
            {
                depth--;
                i += 2;
                if (depth == 0) return i;
            }
            else if (sql[i] == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else
            {
                i++;
            }
        }
        return sql.Length;
    }

    /// <summary>The index after the closing quote of a string whose text starts at <paramref name="i"/> (its end when none).</summary>
    private static int EndOfString(string sql, int i, bool backslashEscapes)
    {
        while (i < sql.Length)
        {
            var c = sql[i];
            if (backslashEscapes && c == '\\')
            {
                i += 2;
            }
            else if (c == '\'')
            {
                if (i + 1 < sql.Length && sql[i + 1] == '\'')
                {
                    i += 2;
                }
                else
                {
                    return i + 1;
                }
            }
            else
            {
                i++;
            }
        }
        return sql.Length;
    }

    private static int EndOfQuoted(string sql, int i, char quote)
    {
        while (i < sql.Length)
        {
            if (sql[i] == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return sql.Length;
    }

    /// <summary><c>$$</c> or <c>$tag$</c> starting at <paramref name="i"/>, or null.</summary>
    private static string? DollarTag(string sql, int i)
    {
        var end = i + 1;
        while (end < sql.Length && (char.IsLetterOrDigit(sql[end]) || sql[end] == '_')) end++;
        return end < sql.Length && sql[end] == '$' && (end == i + 1 || !char.IsAsciiDigit(sql[i + 1])) ? sql[i..(end + 1)] : null;
    }

    private static int EndOfNumber(string sql, int start)
    {
        var hex = start + 1 < sql.Length && sql[start] == '0' && sql[start + 1] is 'x' or 'X';
        var i = start;
        while (i < sql.Length)
        {
            var c = sql[i];
            var exponentSign = c is '+' or '-' && !hex && sql[i - 1] is 'e' or 'E';
            if (char.IsLetterOrDigit(c) || c is '_' or '.' || exponentSign)
            {
                i++;
            }
            else
            {
                break;
            }
        }
        return i;
    }
}
