namespace Mcp.Cluster.Bench;

/// <summary>Reads <c>--name value</c> pairs from the command line.</summary>
public static class BenchArguments
{
    public static string? Value(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    /// <summary>Every value given for a repeatable option (<c>--variant a --variant b</c>).</summary>
    public static IReadOnlyList<string> Values(string[] args, string name) =>
        args.Select((a, i) => (a, i)).Where(p => p.a == name && p.i + 1 < args.Length).Select(p => args[p.i + 1]).ToList();
}
