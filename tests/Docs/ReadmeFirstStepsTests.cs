using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Docs;

/// <summary>
/// The README's "First steps", read from README.md and sent as written (only the printed admin key substituted) to a
/// fresh gateway in the local default: a newcomer pastes them first, so a change that breaks one must fail here, and a
/// README edit that the reader below cannot follow fails too rather than going unchecked.
/// </summary>
[Trait("Tier", "Api")]
public sealed partial class ReadmeFirstStepsTests : IAsyncLifetime
{
    private GatewayFactory _gateway = null!;

    public Task InitializeAsync()
    {
        _gateway = new GatewayFactory(null);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task The_readme_first_steps_work_as_written_in_the_local_default()
    {
        var commands = FirstStepsCommands();
        var variables = new Dictionary<string, string> { ["ADMIN"] = GatewayFactory.AdminKey };
        var answers = new List<(Curl Command, JsonElement? Json, string Body)>();
        using var http = _gateway.CreateClient();

        foreach (var line in commands)
        {
            if (Assignment().Match(line) is { Success: true } assignment)
            {
                // The README derives KEY and SESSION from the answers before; the test takes them from there.
                Assert.Contains(assignment.Groups["name"].Value, new[] { "ADMIN", "KEY", "SESSION" });
                continue;
            }
            var curl = Curl.Parse(line, variables);
            using var request = curl.ToRequest();
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{curl.Method} {curl.Path}: {(int)response.StatusCode} {body}");

            var json = JsonPayload(body);
            answers.Add((curl, json, body));
            if (curl.Path == "/api/keys" && curl.Method == HttpMethod.Post)
            {
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                variables["KEY"] = json!.Value.GetProperty("api_key").GetString()!;
            }
            if (curl.DumpsHeaders && response.Headers.TryGetValues("Mcp-Session-Id", out var session))
            {
                variables["SESSION"] = session.Single();
            }
        }

        JsonElement Answer(string path, string? method = null) =>
            answers.Single(a => (a.Command.Path == path || a.Command.Path.StartsWith(path + "?", StringComparison.Ordinal))
                && (method is null || a.Command.Body?.Contains(method, StringComparison.Ordinal) == true)).Json!.Value;

        Assert.Equal("registered", Answer("/api/models").GetProperty("status").GetString());
        Assert.Equal("positive", answers.Single(a => a.Command.Path.EndsWith("/predict", StringComparison.Ordinal)).Json!.Value
            .GetProperty("sentiment").GetString());
        var query = Answer("/api/data/query");
        Assert.True(query.GetProperty("row_count").GetInt32() > 0, "the sample jobs_db has rows for the README's query");
        Assert.NotEmpty(Answer("/api/audit").GetProperty("entries").EnumerateArray());
        Assert.Equal("2025-11-25", Answer("/mcp", "initialize").GetProperty("result").GetProperty("protocolVersion").GetString());
        var tool = Answer("/mcp", "tools/call").GetProperty("result");
        Assert.False(tool.TryGetProperty("isError", out var isError) && isError.GetBoolean(), tool.ToString());
        Assert.Equal("positive", tool.GetProperty("structuredContent").GetProperty("sentiment").GetString());
    }

    /// <summary>The commands of the README's bash blocks under "## First steps", continuation lines joined.</summary>
    private static List<string> FirstStepsCommands()
    {
        var readme = File.ReadAllText(Path.Combine(CommandLine.RepositoryRoot, "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf("\n## First steps", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has a '## First steps' section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? readme[start..] : readme[start..end];
        var commands = new List<string>();
        foreach (Match block in BashBlock().Matches(section))
        {
            commands.AddRange(Commands(block.Groups["code"].Value));
        }
        Assert.Contains(commands, c => c.StartsWith("curl", StringComparison.Ordinal));
        return commands;
    }

    /// <summary>Splits shell text into commands: quotes kept whole (they may span lines), comments and pipes dropped.</summary>
    private static IEnumerable<string> Commands(string code)
    {
        var current = new StringBuilder();
        char? quote = null;
        var skipping = false;
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            if (quote is not null)
            {
                current.Append(c);
                if (c == quote && !(quote == '"' && code[i - 1] == '\\'))
                {
                    quote = null;
                }
                continue;
            }
            if (c == '\n')
            {
                skipping = false;
                if (current.Length > 0 && current[^1] == '\\')
                {
                    current[^1] = ' ';
                    continue;
                }
                if (current.ToString().Trim() is { Length: > 0 } command)
                {
                    yield return command;
                }
                current.Clear();
                continue;
            }
            if (skipping)
            {
                continue;
            }
            if (c == '#' && (current.Length == 0 || char.IsWhiteSpace(current[^1])) || c == '|')
            {
                skipping = true; // a comment, or a pipe into tee: what matters is the request
                continue;
            }
            if (c is '\'' or '"')
            {
                quote = c;
            }
            current.Append(c);
        }
        if (current.ToString().Trim() is { Length: > 0 } last)
        {
            yield return last;
        }
    }

    private static JsonElement? JsonPayload(string body)
    {
        // MCP answers as Server-Sent Events: the JSON-RPC message is the data line.
        var text = body.TrimStart().StartsWith("event:", StringComparison.Ordinal)
            ? string.Concat(body.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..]))
            : body;
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Curl(HttpMethod Method, string Path, IReadOnlyList<(string Name, string Value)> Headers, string? Body, bool DumpsHeaders)
    {
        public static Curl Parse(string command, IReadOnlyDictionary<string, string> variables)
        {
            var words = Words(command, variables);
            Assert.True(words[0] == "curl", $"the README's first steps send requests with curl: {command}");
            HttpMethod? method = null;
            string? url = null, body = null;
            var headers = new List<(string, string)>();
            var dumps = false;
            for (var i = 1; i < words.Count; i++)
            {
                switch (words[i])
                {
                    case "-s":
                        break;
                    case "-X":
                        method = new HttpMethod(words[++i]);
                        break;
                    case "-H":
                        var header = words[++i];
                        var colon = header.IndexOf(':');
                        headers.Add((header[..colon].Trim(), header[(colon + 1)..].Trim()));
                        break;
                    case "-d":
                        body = words[++i];
                        break;
                    case "-D":
                        i++;
                        dumps = true;
                        break;
                    case var word when word.StartsWith("http", StringComparison.Ordinal):
                        url = word;
                        break;
                    default:
                        Assert.Fail($"The README's first steps use a curl option this test does not read: {words[i]} in {command}");
                        break;
                }
            }
            Assert.NotNull(url);
            var uri = new Uri(url);
            Assert.Equal("http://localhost:8000", uri.GetLeftPart(UriPartial.Authority));
            return new Curl(method ?? (body is null ? HttpMethod.Get : HttpMethod.Post), uri.PathAndQuery, headers, body, dumps);
        }

        public HttpRequestMessage ToRequest()
        {
            var request = new HttpRequestMessage(Method, Path);
            var contentType = Headers.FirstOrDefault(h => h.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;
            if (Body is not null)
            {
                request.Content = new StringContent(Body, Encoding.UTF8);
                request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType ?? "application/x-www-form-urlencoded");
            }
            foreach (var (name, value) in Headers.Where(h => !h.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)))
            {
                Assert.True(request.Headers.TryAddWithoutValidation(name, value), $"header {name}");
            }
            return request;
        }

        /// <summary>Shell words: single quotes literal, double quotes and bare words with $NAME expanded.</summary>
        private static List<string> Words(string command, IReadOnlyDictionary<string, string> variables)
        {
            var words = new List<string>();
            var word = new StringBuilder();
            var inWord = false;
            for (var i = 0; i < command.Length; i++)
            {
                var c = command[i];
                if (char.IsWhiteSpace(c))
                {
                    if (inWord)
                    {
                        words.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }
                    continue;
                }
                inWord = true;
                if (c == '\'')
                {
                    var close = command.IndexOf('\'', i + 1);
                    word.Append(command, i + 1, close - i - 1);
                    i = close;
                }
                else if (c == '"')
                {
                    var close = i + 1;
                    while (command[close] != '"' || command[close - 1] == '\\')
                    {
                        close++;
                    }
                    word.Append(Expand(command[(i + 1)..close].Replace("\\\"", "\""), variables));
                    i = close;
                }
                else
                {
                    var next = i;
                    while (next < command.Length && !char.IsWhiteSpace(command[next]) && command[next] is not ('\'' or '"'))
                    {
                        next++;
                    }
                    word.Append(Expand(command[i..next], variables));
                    i = next - 1;
                }
            }
            if (inWord)
            {
                words.Add(word.ToString());
            }
            return words;
        }

        private static string Expand(string text, IReadOnlyDictionary<string, string> variables) =>
            Variable().Replace(text, m => variables.TryGetValue(m.Groups[1].Value, out var value)
                ? value
                : throw new InvalidOperationException($"${m.Groups[1].Value} is used before the README sets it"));
    }

    [GeneratedRegex(@"```bash\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    [GeneratedRegex(@"^(?<name>[A-Z_]+)=")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"\$([A-Z_]+)")]
    private static partial Regex Variable();
}
