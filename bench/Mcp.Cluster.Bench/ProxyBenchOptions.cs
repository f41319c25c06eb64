namespace Mcp.Cluster.Bench;

/// <summary>
/// Settings of the proxy bench (<c>gateway</c> mode): <c>--connections 1,32 --seconds 10 --warmup 3 --rounds 2</c>,
/// <c>--targets direct,forwarder,portkey,ours</c>, <c>--client raw|httpclient</c>, and any number of
/// <c>--variant "label:NAME=value,NAME=value"</c>, each an extra gateway started with those runtime settings.
/// </summary>
public sealed record ProxyBenchOptions(
    IReadOnlyList<int> Connections, TimeSpan Measure, TimeSpan WarmUp, int Rounds, IReadOnlySet<string> Targets,
    bool UseHttpClient, IReadOnlyList<GatewayVariant> Variants, string Repository)
{
    public static readonly string[] AllTargets = ["direct", "forwarder", "portkey", "ours"];

    public static ProxyBenchOptions Parse(string[] args)
    {
        string? Value(string name) => BenchArguments.Value(args, name);
        var targets = (Value("--targets") ?? string.Join(',', AllTargets)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        if (targets.Except(AllTargets).FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown target '{unknown}'; known: {string.Join(", ", AllTargets)}.");
        }
        var client = Value("--client") ?? "raw";
        if (client is not ("raw" or "httpclient"))
        {
            throw new ArgumentException("--client is raw or httpclient.");
        }
        return new ProxyBenchOptions(
            (Value("--connections") ?? "1,32").Split(',').Select(int.Parse).ToList(),
            TimeSpan.FromSeconds(double.Parse(Value("--seconds") ?? "10", System.Globalization.CultureInfo.InvariantCulture)),
            TimeSpan.FromSeconds(double.Parse(Value("--warmup") ?? "3", System.Globalization.CultureInfo.InvariantCulture)),
            int.Parse(Value("--rounds") ?? "2"),
            targets,
            client == "httpclient",
            BenchArguments.Values(args, "--variant").Select(GatewayVariant.Parse).ToList(),
            BenchOptions.Parse(args).Repository);
    }
}

/// <summary>An extra gateway measured in the same run with runtime settings of its own (environment variables).</summary>
public sealed record GatewayVariant(string Label, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary><c>label:NAME=value,NAME=value</c>.</summary>
    public static GatewayVariant Parse(string text)
    {
        var colon = text.IndexOf(':');
        if (colon <= 0)
        {
            throw new ArgumentException($"A variant is label:NAME=value,...; got '{text}'.");
        }
        var settings = text[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : throw new ArgumentException($"'{p[0]}' in variant '{text}' has no value."));
        return new GatewayVariant(text[..colon], settings);
    }

    public override string ToString() => $"{Label}: {string.Join(' ', Environment.Select(e => $"{e.Key}={e.Value}"))}";
}
