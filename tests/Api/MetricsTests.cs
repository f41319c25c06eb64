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
        // Group roots, one written with its trailing slash: both are labelled as the route is written, without it.
        using (var created = await admin.PostAsJsonAsync("/api/keys", new { owner = "metrics", permissions = new[] { "read" } }))
        {
            await created.AssertOkAsync(HttpStatusCode.Created);
        }
        using (var models = await admin.GetAsync("/api/models/"))
        {
            await models.AssertOkAsync();
        }

        using var client = gateway.CreateClient();
        string text = "";
        // The exporter caches its snapshot briefly; wait for one that includes the requests above, and Orleans' instruments
        // of grain calls, activations, state writes and the usage streams, which appear once there has been such work.
        var shown = ModelTestHelpers.EventuallyAsync(async () =>
        {
            text = await client.GetStringAsync("/metrics");
            return text.Contains("mcp_data_cache_lookups_total", StringComparison.Ordinal) && text.Contains("reason=\"invalid_key\"", StringComparison.Ordinal)
                && text.Contains("status_class=\"4xx\"", StringComparison.Ordinal)
                && text.Contains("route=\"GET /api/models\"", StringComparison.Ordinal)
                // The embedded silo hosts the sample sources; once its health check has run, a healthy one reads 1.
                && Regex.IsMatch(text, @"mcp_backend_up\{[^}]*kind=""datasource""[^}]*name=""jobs_db""[^}]*\} 1")
                && OrleansFamilies.All(family => text.Contains("\n" + family, StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(60), "the exposition to show the requests, the source's health and Orleans' instruments");
        var timedOut = await Record.ExceptionAsync(() => shown);
        Assert.True(timedOut is null, $"{timedOut?.Message}\n{Describe(text)}");
        Assert.Matches(@"mcp_requests_total\{[^}]*protocol=""rest""[^}]*route=""POST /api/data/query""[^}]*status_class=""2xx""[^}]*\} [1-9]", text);
        Assert.Matches(@"mcp_request_duration_seconds_bucket\{[^}]*route=""POST /api/data/query""", text);
        Assert.Contains("mcp_data_queries_total{", text);
        Assert.Contains("outcome=\"not_found\"", text);
        Assert.Contains("result=\"hit\"", text);
        Assert.Contains("mcp_data_query_duration_seconds_bucket{", text);
        Assert.Contains("http_server_request_duration_seconds_bucket{", text);

        // Routes as a user writes them, in our label and in ASP.NET Core's: route="POST /api/keys" matches.
        Assert.Matches(@"mcp_requests_total\{[^}]*route=""POST /api/keys""[^}]*status_class=""2xx""", text);
        Assert.Matches(@"mcp_requests_total\{[^}]*route=""GET /api/models""[^}]*status_class=""2xx""", text);
        Assert.Matches(@"http_server_request_duration_seconds_count\{[^}]*http_route=""/api/keys""", text);
        var slashed = Regex.Matches(text, @"\b(?:http_)?route=""[^""]*[^""/ ]/""").Select(m => m.Value).Distinct().ToList();
        Assert.True(slashed.Count == 0, "route labels ending in a slash: " + string.Join(", ", slashed));

        // Orleans' instruments in base units with snake_case labels, under their own names.
        Assert.Contains("orleans_app_requests_latency_seconds_bucket{", text);
        Assert.DoesNotContain("_milliseconds", text);
        Assert.DoesNotContain("_megabytes", text);

        // The whole exposition, nothing filtered away: promtool exits 0 (1 is a parse error, 3 lint findings).
        var (exit, stdout, stderr) = await CommandLine.RunAsync("promtool", ["check", "metrics"], TimeSpan.FromSeconds(60), standardInput: text);
        Assert.True(exit == 0, $"promtool found problems in the exposition ({exit}):\n{stdout}\n{stderr}");
    }

    /// <summary>Orleans metric families that traffic makes appear, one of each kind the bridge re-publishes.</summary>
    internal static readonly string[] OrleansFamilies =
    [
        "orleans_app_requests_latency_seconds_bucket{", // histogram, milliseconds re-published as seconds
        "orleans_catalog_activations{", // observable gauge, by grain type
        "orleans_catalog_activation_created_total{", // counter
        "orleans_grains{", // up-down counter
        "orleans_messaging_processing_dispatcher_processed_total{", // counter with Orleans' PascalCase tags
        "orleans_runtime_available_memory_bytes{", // observable gauge, megabytes re-published as bytes
        "orleans_streams_queue_messages_received_total{", // the usage streams' queues, QueueId tag
    ];

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
            .SelectMany(expression => Regex.Matches(expression, @"\b(?:mcp|http_server|kestrel|orleans)_[a-z_]+\b").Select(m => m.Value))
            .ToHashSet();
        Assert.Contains("mcp_data_queries_active", names);
        Assert.Contains("mcp_completions_websocket_streams", names);
        Assert.Contains("orleans_app_requests_latency_seconds_bucket", names);

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
