using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.AdminConsole;
using Mcp.Cluster.Gateway.Alerts;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Gateway.Audit;
using Mcp.Cluster.Gateway.Cluster;
using Mcp.Cluster.Gateway.DataSources;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Health;
using Mcp.Cluster.Gateway.Integrations;
using Mcp.Cluster.Gateway.Logs;
using Mcp.Cluster.Gateway.McpProtocol;
using Mcp.Cluster.Gateway.Prompts;
using Mcp.Cluster.Gateway.Http;
using Mcp.Cluster.Gateway.Completions;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Gateway.OpenAi;
using Mcp.Cluster.Gateway.OpenApi;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Gateway.Usage;
using Mcp.Cluster.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Mcp.Cluster.Gateway.Hosting;

public static class GatewayHostingExtensions
{
    /// <summary>The port of the user guide's examples (<c>http://localhost:8000</c>).</summary>
    public const int DefaultHttpPort = 8000;

    /// <summary>Everything the gateway process needs: the co-hosted silo (local mode), options, services and docs.</summary>
    public static WebApplicationBuilder AddMcpGateway(this WebApplicationBuilder builder, string[]? args = null)
    {
        // MCP_-prefixed variables override appsettings: MCP_ADMIN_KEY, MCP_Cluster__Mode, MCP_Gateway__MaxRequestBodyBytes …;
        // --instance N and --mode override those.
        builder.Configuration.AddMcpSettings(args ?? [], builder.Environment.ContentRootPath);
        var configuration = builder.Configuration;

        var cluster = configuration.GetSection(McpClusterOptions.Section).Get<McpClusterOptions>() ?? new McpClusterOptions();
        builder.Services.AddMcpOptions<McpClusterOptions>(configuration, McpClusterOptions.Section);
        if (cluster.Mode == ClusterMode.Postgres)
        {
            // Silos run as their own processes (dotnet run --project silo); this gateway only calls them.
            builder.UseOrleansClient(client => client.UseMcpClusterClient(configuration));
        }
        else
        {
            builder.UseOrleans(silo => silo.UseMcpCluster(configuration));
        }
        if (string.IsNullOrEmpty(configuration["urls"]) && string.IsNullOrEmpty(configuration["ASPNETCORE_URLS"])
            && string.IsNullOrEmpty(configuration["http_ports"]) && string.IsNullOrEmpty(configuration["ASPNETCORE_HTTP_PORTS"]))
        {
            // The user guide's address; several gateways on one machine: instance N listens on 8000 + N.
            builder.WebHost.UseUrls($"http://localhost:{DefaultHttpPort + cluster.Instance}");
        }

        builder.Services.AddMcpOptions<GatewayOptions>(configuration, GatewayOptions.Section);
        builder.Services.AddMcpOptions<ApiKeyGatewayOptions>(configuration, ApiKeyGatewayOptions.Section);
        builder.Services.AddMcpOptions<ModelGatewayOptions>(configuration, ModelGatewayOptions.Section);
        builder.Services.AddModelResolution();
        builder.Services.AddHostedModelFiles(configuration);
        builder.Services.AddMcpOptions<Cluster.SiloLossGuardOptions>(configuration, Cluster.SiloLossGuardOptions.Section);
        builder.Services.AddSingleton<Cluster.SiloLossGuard>();
        builder.Services.AddMcpGateway(configuration);
        builder.Services.AddMcpOptions<RecentLogsOptions>(configuration, RecentLogsOptions.Section);
        builder.Services.AddSingleton<RecentLogs>();
        builder.Logging.Services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<RecentLogs>());
        builder.Logging.AddMcpConsoleTimestamps();
        // The scheme's base class logs every refused key at Information; the old middleware did not, and metrics count them.
        builder.Logging.AddFilter(typeof(ApiKeyAuthenticationHandler).FullName, LogLevel.Warning);
        // Every provider, including ones added after this (tests, operators), writes through the redactor.
        builder.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new RedactingLoggerFactory(new LoggerFactory(
            sp.GetServices<ILoggerProvider>(), sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>(), sp.GetService<IExternalScopeProvider>()))));
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<Telemetry.McpMetrics>();
        builder.Services.TryAddSingleton<Telemetry.OrleansMetrics>();
        // Orleans' instruments through OrleansMetrics (lint-clean for promtool), never its meter directly; created with the
        // meter provider, so it listens from the moment the exporter does.
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Telemetry.McpMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
                "Microsoft.AspNetCore.Http.Connections", Telemetry.OrleansMetrics.MeterName)
            .AddInstrumentation(sp => sp.GetRequiredService<Telemetry.OrleansMetrics>())
            .AddPrometheusExporter());
        builder.Services.Configure<DataSourceGatewayOptions>(o =>
            o.DefaultCacheTtl = configuration.GetValue("DataSources:DefaultCacheTtl", o.DefaultCacheTtl));
        builder.Services.AddMcpOptions<CompletionOptions>(configuration, CompletionOptions.Section)
            .Validate(o => o.StreamHeartbeat > TimeSpan.Zero && o.StreamHeartbeat * 2 <= o.StreamIdleTimeout,
                "Completions:StreamHeartbeat must be positive and at most half of Completions:StreamIdleTimeout.")
            .Validate(o => o.SettleTimeout > TimeSpan.Zero, "Completions:SettleTimeout must be positive.");
        builder.Services.AddSingleton<TokenQuota>();
        builder.Services.AddSingleton<CompletionRunner>();
        builder.Services.AddSingleton<DataQuestions>();
        builder.Services.AddMcpOptions<UsageOptions>(configuration, UsageOptions.Section);
        builder.Services.AddSingleton<UsagePublisher>();
        builder.Services.AddSingleton<UsageReader>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<UsagePublisher>());
        builder.Services.PostConfigure<ApiKeyGatewayOptions>(o =>
        {
            o.AdminKey ??= configuration["ADMIN_KEY"];
            o.HashSecret ??= configuration["API_KEY_HASH_SECRET"];
        });
        builder.Services.AddSingleton(sp => ApiKeyPolicy.From(sp.GetRequiredService<IOptions<ApiKeyGatewayOptions>>().Value, cluster));
        builder.Services.AddSingleton(sp => new ApiKeyHasher(
            ApiKeyHashSecret.Resolve(sp.GetRequiredService<IOptions<ApiKeyGatewayOptions>>().Value, cluster)));
        builder.Services.AddSingleton<ApiKeyIssuer>();
        builder.Services.AddHostedService<BootstrapAdminKeyService>();
        builder.Services.AddApiKeySecurity();
        builder.Services.AddOAuthSecurity(configuration);

        var maxBody = configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>()?.MaxRequestBodyBytes ?? new GatewayOptions().MaxRequestBodyBytes;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBody);

        builder.Services.Configure<JsonOptions>(o => ConfigureJson(o.SerializerOptions));
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(ApiKeyEndpoints.SelfServiceLimiter, context =>
            {
                // Keyed callers are metered by their key grain; only anonymous (self-service) creation is limited per address.
                if (context.GetApiKey() is not null)
                {
                    return RateLimitPartition.GetNoLimiter("keyed");
                }
                var rate = context.RequestServices.GetRequiredService<ApiKeyPolicy>().SelfServiceRateLimit;
                return RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = rate.Limit, Window = rate.Window, QueueLimit = 0 });
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var http = rejected.HttpContext;
                var retry = RetryAfterHeader.Set(http.Response,
                    rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(60));
                await ApiErrors.WriteAsync(http, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimitExceeded,
                    $"Too many requests. Try again in {retry} seconds.",
                    new() { ["reset_time"] = DateTimeOffset.UtcNow.AddSeconds(retry).ToUnixTimeSeconds() });
            };
        });

        builder.Services.AddMcpDocs();
        builder.Services.AddAdminConsole();
        return builder;
    }

    public static WebApplication UseMcpGateway(this WebApplication app)
    {
        app.UseMiddleware<UsageMiddleware>();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseApiErrorStatusPages();
        app.UseMiddleware<McpOriginCheckMiddleware>();
        app.UseMiddleware<McpQueryKeyMiddleware>();
        app.UseMiddleware<WebSocketFrameLimitMiddleware>();
        app.UseWebSockets();
        app.UseRouting();
        // After routing: an endpoint that takes larger bodies (a model file upload) says so in its metadata.
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        // The ApiKey scheme asks the key grain once; authorization decides from that answer (ApiKeyRequirement).
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<McpSessionKeyMiddleware>();
        app.UseMiddleware<McpClientAnswerMiddleware>();
        app.UseRateLimiter();
        app.UseMiddleware<StrictJsonBodyMiddleware>();

        app.UseMcpDocs();

        // Every endpoint's template as a user writes it (no group-root trailing slash): metrics and usage label routes by it.
        var routes = app.MapGroup("").WithRoutesAsWritten();
        routes.MapHealthEndpoints();
        routes.MapOAuthMetadata();
        // Prometheus scrapes without a key, as scrapers do; put it behind the network boundary you keep scrapers in.
        app.MapPrometheusScrapingEndpoint("/metrics");
        routes.MapClusterEndpoints();
        routes.MapApiKeyEndpoints();
        routes.MapModelEndpoints();
        routes.MapModelArtifactEndpoints();
        routes.MapOpenAiEndpoints();
        routes.MapCompletionEndpoints();
        routes.MapDataSourceEndpoints();
        routes.MapDataSourcePreviewEndpoints();
        routes.MapDataQueryEndpoints();
        routes.MapDataAskEndpoints();
        routes.MapDataExampleEndpoints();
        routes.MapDataInsightsEndpoints();
        routes.MapDataQueryTestEndpoints();
        routes.MapAuditEndpoints();
        routes.MapPromptEndpoints();
        routes.MapMcpGateway();
        routes.MapMcpRestEndpoints();
        routes.MapIntegrationEndpoints();
        routes.MapLogEndpoints();
        routes.MapUsageEndpoints();
        routes.MapAlertEndpoints();
        routes.MapAdminConsole();
        var dashboard = DashboardSettings.From(app.Configuration);
        if (dashboard.Enabled)
        {
            Orleans.Dashboard.ServiceCollectionExtensions.MapOrleansDashboard(app, dashboard.Path)
                .RequireApiKeyForBrowser(Permissions.Admin).WithTags("Dashboard").ExcludeFromDescription();
        }
        return app;
    }

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        // A number is a JSON number: ASP.NET Core's web defaults also read "30" as 30, which neither the MCP tools
        // (GatewayJson) nor the published document (it would say "integer or string") agree with.
        options.NumberHandling = JsonNumberHandling.Strict;
        // A property named twice is ambiguous (parsers disagree on which wins): refused, never silently resolved.
        options.AllowDuplicateProperties = false;
    }
}
