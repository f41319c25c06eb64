using System.Text;
using System.Text.RegularExpressions;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Docs;

/// <summary>
/// The README is short and points into <c>docs/</c>; a page that is moved or renamed, or a heading that is reworded,
/// must not leave a newcomer on a dead link. Every relative link in README.md and docs/**/*.md must name a file or
/// folder of the repository, and a <c>#fragment</c> into a Markdown file must name one of its headings.
/// </summary>
[Trait("Tier", "Unit")]
public sealed partial class DocsLinkTests
{
    private static readonly string Root = CommandLine.RepositoryRoot;

    [Fact]
    public void Every_relative_link_in_the_readme_and_docs_resolves()
    {
        var broken = new List<string>();
        var pages = MarkdownPages().ToArray();
        Assert.Contains(pages, page => Path.GetFileName(page) == "README.md");
        Assert.True(pages.Length > 1, "docs/ holds the pages the README links to");

        foreach (var page in pages)
        {
            var directory = Path.GetDirectoryName(page)!;
            foreach (var (line, target) in Links(File.ReadAllLines(page)))
            {
                if (Regex.IsMatch(target, "^[a-z][a-z0-9+.-]*:", RegexOptions.IgnoreCase))
                {
                    continue; // http:, https:, mailto: …: not ours to check offline
                }
                var hash = target.IndexOf('#');
                var path = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
                var fragment = hash < 0 ? null : target[(hash + 1)..];
                var resolved = path.Length == 0 ? page : Path.GetFullPath(Path.Combine(directory, path));
                var where = $"{Path.GetRelativePath(Root, page)}:{line}: ({target})";
                if (!File.Exists(resolved) && !Directory.Exists(resolved))
                {
                    broken.Add($"{where} names no file");
                }
                else if (fragment is { Length: > 0 } && resolved.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
                         && !Anchors(File.ReadAllLines(resolved)).Contains(fragment))
                {
                    broken.Add($"{where} names no heading of {Path.GetRelativePath(Root, resolved)}");
                }
            }
        }
        Assert.True(broken.Count == 0, "Broken links:\n" + string.Join('\n', broken));
    }

    [Fact]
    public void The_readme_gives_the_run_and_test_commands_as_written_and_stays_short()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md")).ReplaceLineEndings("\n");
        // .ci/run runs "the README's test command, unchanged"; a newcomer runs the product with the other one.
        Assert.Contains("```bash\ndotnet run --project gateway\n```", readme, StringComparison.Ordinal);
        Assert.Contains("```bash\ntests/run\n```", readme, StringComparison.Ordinal);
        Assert.Contains("tests/run 2>&1", File.ReadAllText(Path.Combine(Root, ".ci", "run")), StringComparison.Ordinal);
        var lines = readme.Split('\n').Length;
        Assert.True(lines <= 200, $"README.md has {lines} lines; what a newcomer does not need first belongs in docs/");
    }

    [Theory]
    [InlineData("## Cluster mode", "cluster-mode")]
    [InlineData("### Usage, metrics, alerts and the dashboard", "usage-metrics-alerts-and-the-dashboard")]
    [InlineData("## `Cluster:*` settings", "cluster-settings")]
    [InlineData("## Gateway request path, side by side", "gateway-request-path-side-by-side")]
    public void Headings_become_anchors_the_way_GitHub_makes_them(string heading, string anchor) =>
        Assert.Contains(anchor, Anchors([heading]));

    private static IEnumerable<string> MarkdownPages()
    {
        yield return Path.Combine(Root, "README.md");
        var docs = Path.Combine(Root, "docs");
        if (Directory.Exists(docs))
        {
            foreach (var page in Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                yield return page;
            }
        }
    }

    /// <summary>Inline link targets, outside fenced code blocks and code spans.</summary>
    private static IEnumerable<(int Line, string Target)> Links(IReadOnlyList<string> lines)
    {
        var fenced = false;
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }
            if (fenced)
            {
                continue;
            }
            var text = CodeSpan().Replace(lines[i], "");
            foreach (Match match in InlineLink().Matches(text))
            {
                yield return (i + 1, match.Groups["target"].Value.Trim('<', '>'));
            }
        }
    }

    /// <summary>GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered.</summary>
    private static HashSet<string> Anchors(IReadOnlyList<string> lines)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var fenced = false;
        foreach (var line in lines)
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }
            var heading = fenced ? null : Heading().Match(line);
            if (heading is not { Success: true })
            {
                continue;
            }
            var slug = new StringBuilder();
            foreach (var c in heading.Groups["text"].Value.Trim().ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_')
                {
                    slug.Append(c);
                }
                else if (c == ' ')
                {
                    slug.Append('-');
                }
            }
            var anchor = slug.ToString();
            var count = seen.GetValueOrDefault(anchor);
            seen[anchor] = count + 1;
            anchors.Add(count == 0 ? anchor : $"{anchor}-{count}");
        }
        return anchors;
    }

    [GeneratedRegex(@"(?<!\!)\[(?:[^\[\]]|\[[^\]]*\])*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();
}
