namespace Mcp.Cluster.Bench;

/// <summary>
/// Command-line settings: <c>--streams 10000 --token-interval-ms 500 --measure-seconds 20</c>; <c>--runtime-defaults</c>
/// runs the gateway without the settings of <c>deploy/streaming-node.env</c>.
/// </summary>
public sealed record BenchOptions(int Streams, TimeSpan TokenInterval, TimeSpan Measure, int OpenConcurrency, string Repository, bool Http1, bool RuntimeDefaults)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        return new BenchOptions(
            int.Parse(Value("--streams") ?? "10000"),
            TimeSpan.FromMilliseconds(int.Parse(Value("--token-interval-ms") ?? "500")),
            TimeSpan.FromSeconds(int.Parse(Value("--measure-seconds") ?? "20")),
            int.Parse(Value("--open-concurrency") ?? "256"),
            Value("--repo") ?? FindRepository(),
            args.Contains("--http1"),
            args.Contains("--runtime-defaults"));
    }

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mcp.Cluster.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Run from inside the repository or pass --repo.");
    }
}
