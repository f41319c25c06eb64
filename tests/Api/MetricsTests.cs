using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Api;

/// <summary><c>GET /metrics</c>: our meter with ASP.NET Core's and Orleans', in an exposition Prometheus' own promtool accepts.</summary>
[Trait("Tier", "System")]
public sealed class MetricsTests(GatewayProcess gateway) : IClassFixture<GatewayProcess>
{
    private static async Task QueryOkAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/api/data/query", body);
        await response.AssertOkAsync();
    }

    [Fact]
    public async Task The_exposition_carries_our_instruments_and_passes_promtool()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        await QueryOkAsync(admin, new { source = "jobs_db", table = "jobs", limit = 1 });
        await QueryOkAsync(admin, new { source = "jobs_db", table = "jobs", limit = 1 });
        using (var missing = await admin.PostAsJsonAsync("/api/data/query", new { source = "jobs_db", table = "nope" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        using (var anonymous = gateway.CreateClient())
        using (var refused = await anonymous.GetAsync("/api/keys/me"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var client = gateway.CreateClient();
        string text = "";
        // The exporter caches its snapshot briefly; wait for one that includes the requests above.
        var shown = ModelTestHelpers.EventuallyAsync(async () =>
        {
            text = await client.GetStringAsync("/metrics");
            return text.Contains("mcp_data_cache_lookups_total", StringComparison.Ordinal) && text.Contains("reason=\"invalid_key\"", StringComparison.Ordinal)
                && text.Contains("status_class=\"4xx\"", StringComparison.Ordinal)
                // The embedded silo hosts the sample sources; once its health check has run, a healthy one reads 1.
                && Regex.IsMatch(text, @"mcp_backend_up\{[^}]*kind=""datasource""[^}]*name=""jobs_db""[^}]*\} 1");
        }, TimeSpan.FromSeconds(30), "the exposition to show the requests and the source's health");
        var timedOut = await Record.ExceptionAsync(() => shown);
        Assert.True(timedOut is null, $"{timedOut?.Message}\n{Describe(text)}");
        Assert.Matches(@"mcp_requests_total\{[^}]*protocol=""rest""[^}]*route=""POST /api/data/query""[^}]*status_class=""2xx""[^}]*\} [1-9]", text);
        Assert.Matches(@"mcp_request_duration_seconds_bucket\{[^}]*route=""POST /api/data/query""", text);
        Assert.Contains("mcp_data_queries_total{", text);
        Assert.Contains("outcome=\"not_found\"", text);
        Assert.Contains("result=\"hit\"", text);
        Assert.Contains("mcp_data_query_duration_seconds_bucket{", text);
        Assert.Contains("http_server_request_duration_seconds_bucket{", text);

        // The whole exposition must parse (promtool exits 1 on a parse error, 3 on lint findings). Orleans' own meter has
        // lint findings we cannot change (millisecond units, no help texts); ours must be lint-clean.
        var (exit, stdout, stderr) = await CommandLine.RunAsync("promtool", ["check", "metrics"], TimeSpan.FromSeconds(60), standardInput: text);
        Assert.True(exit is 0 or 3, $"promtool could not parse the exposition ({exit}):\n{stdout}\n{stderr}");
        Assert.DoesNotContain("mcp_", stdout + stderr);
        var ours = string.Join("\n", text.Split('\n').Where(l => l.StartsWith("mcp_", StringComparison.Ordinal)
            || l.StartsWith("# HELP mcp_", StringComparison.Ordinal) || l.StartsWith("# TYPE mcp_", StringComparison.Ordinal) || l.StartsWith("# UNIT mcp_", StringComparison.Ordinal))) + "\n";
        (exit, stdout, stderr) = await CommandLine.RunAsync("promtool", ["check", "metrics"], TimeSpan.FromSeconds(60), standardInput: ours);
        Assert.True(exit == 0, $"promtool found problems in our metrics ({exit}):\n{stdout}\n{stderr}");
    }

    [Fact]
    public async Task The_shipped_alert_rules_pass_promtool_and_their_unit_tests()
    {
        var (exit, stdout, stderr) = await CommandLine.RunAsync("promtool", ["check", "rules", "deploy/prometheus/alerts.yml"], TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"promtool check rules failed ({exit}):\n{stdout}\n{stderr}");
        Assert.Contains("4 rules found", stdout);
        (exit, stdout, stderr) = await CommandLine.RunAsync("promtool", ["test", "rules", "alerts.test.yml"], TimeSpan.FromSeconds(60),
            workingDirectory: Path.Combine(CommandLine.RepositoryRoot, "tests", "prometheus"));
        Assert.True(exit == 0, $"promtool test rules failed ({exit}):\n{stdout}\n{stderr}");
    }

    [Fact]
    public async Task Every_metric_the_alert_rules_and_the_dashboard_use_is_exported()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        await QueryOkAsync(admin, new { source = "jobs_db", table = "jobs", limit = 1 });
        using (var socket = new ClientWebSocket())
        {
            socket.Options.SetRequestHeader("X-API-Key", GatewayFactory.AdminKey);
            await socket.ConnectAsync(new Uri($"ws://{gateway.BaseAddress.Authority}/ws/completions"), CancellationToken.None);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }
        using (var anonymous = gateway.CreateClient())
        using (var refused = await anonymous.GetAsync("/api/keys/me"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var rules = await File.ReadAllTextAsync(Path.Combine(CommandLine.RepositoryRoot, "deploy", "prometheus", "alerts.yml"));
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(CommandLine.RepositoryRoot, "deploy", "grafana", "mcp-cluster.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!)
            .Append(rules)
            .ToList();
        var names = expressions
            .SelectMany(expression => Regex.Matches(expression, @"\b(?:mcp|http_server|kestrel)_[a-z_]+\b").Select(m => m.Value))
            .ToHashSet();
        Assert.Contains("mcp_data_queries_active", names);
        Assert.Contains("mcp_completions_websocket_streams", names);

        using var client = gateway.CreateClient();
        // The exporter caches its snapshot briefly; poll until it covers the requests above.
        List<string> missing = [];
        var text = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(250))
        {
            text = await client.GetStringAsync("/metrics");
            missing = names.Where(name => !Exported(text, name)).ToList();
            if (missing.Count == 0 || DateTime.UtcNow > deadline)
            {
                break;
            }
        }
        Assert.True(missing.Count == 0, $"not exported: {string.Join(", ", missing)}\n{Describe(text)}");
    }

    /// <summary>What an exposition held, for a failure message: its size and metric families.</summary>
    private static string Describe(string exposition)
    {
        var families = exposition.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToList();
        return $"the last exposition: {exposition.Length} characters, {families.Count} families: {string.Join(", ", families.Where(f => !f.StartsWith("orleans_", StringComparison.Ordinal)))}";
    }

    private static bool Exported(string exposition, string name) =>
        exposition.Contains("\n" + name + "{", StringComparison.Ordinal) || exposition.Contains("\n" + name + " ", StringComparison.Ordinal);
}
