using System.Net;
using Mcp.Cluster.Hosting;
using Mcp.Cluster.Telemetry;
using OpenTelemetry.Metrics;

// A standalone silo: the same grains and storage as the gateway's co-hosted silo. Its only HTTP is the metrics port
// (Cluster:MetricsPort + instance, on Cluster:ListenAddress): GET /metrics for Prometheus (data-source reads, the query
// cache and Orleans' own instruments are recorded where the grains run, which in cluster mode is here) and GET /health.
// Cluster:Mode=Postgres for a real cluster: `dotnet run --project silo -- --instance 2` on a second port set.
// A start that fails (no schema in the database, a port in use) is logged and exits 1.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Configuration.AddMcpSettings(args, builder.Environment.ContentRootPath);
builder.Logging.AddMcpConsoleTimestamps();
var cluster = builder.Configuration.GetSection(McpClusterOptions.Section).Get<McpClusterOptions>() ?? new McpClusterOptions();

if (cluster.MetricsPort <= 0)
{
    // No listener wanted: a plain host, since Kestrel without addresses would bind its default port instead.
    var plain = Host.CreateApplicationBuilder(args);
    plain.Configuration.AddMcpSettings(args, plain.Environment.ContentRootPath);
    plain.Logging.AddMcpConsoleTimestamps();
    plain.UseOrleans(silo => silo.UseMcpCluster(plain.Configuration));
    return await McpHostRunner.RunAsync(plain.Build(), "silo");
}

builder.UseOrleans(silo => silo.UseMcpCluster(builder.Configuration));
builder.Services.AddSingleton<OrleansMetrics>();
// Orleans' instruments through OrleansMetrics (lint-clean for promtool), never its meter directly; created with the
// meter provider, so it listens from the moment the exporter does.
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
    .AddMeter(McpMetrics.MeterName, OrleansMetrics.MeterName)
    .AddInstrumentation(sp => sp.GetRequiredService<OrleansMetrics>())
    .AddPrometheusExporter());
var metricsAddress = cluster.ListenIPAddress() ?? IPAddress.Any;
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(metricsAddress, cluster.MetricsPort + cluster.Instance));

var app = builder.Build();
app.MapPrometheusScrapingEndpoint("/metrics");
app.MapGet("/health", () => Results.Text("ok"));
return await McpHostRunner.RunAsync(app, "silo");
