using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Audit;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Caching;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Query;
using Mcp.Cluster.Hosting.Postgres;
using Mcp.Cluster.Models;
using Mcp.Cluster.Models.Backends;
using Mcp.Cluster.Models.Backends.BuiltIn;
using Mcp.Cluster.Models.Backends.HuggingFace;
using Mcp.Cluster.Models.Backends.Http;
using Mcp.Cluster.Models.Backends.OpenAi;
using Mcp.Cluster.Models.Hosted.Placement;
using Mcp.Cluster.Models.Secrets;
using Mcp.Cluster.Storage;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Mcp.Cluster.Hosting;

public static class SiloBuilderExtensions
{
    /// <summary>
    /// Configures a silo for the mode chosen in <c>Cluster:Mode</c>. Both the standalone silo and the gateway's
    /// co-hosted silo go through here so they can never drift apart.
    /// </summary>
    public static ISiloBuilder UseMcpCluster(this ISiloBuilder silo, IConfiguration configuration)
    {
        var cluster = configuration.GetSection(McpClusterOptions.Section).Get<McpClusterOptions>() ?? new McpClusterOptions();
        switch (cluster.Mode)
        {
            case ClusterMode.Local:
                silo.UseLocalhostClustering(cluster.SiloPort + cluster.Instance, cluster.GatewayPort + cluster.Instance,
                    serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
                break;
            case ClusterMode.Postgres:
                silo.UsePostgresCluster(cluster);
                // Failure detection (Orleans' ClusterMembershipOptions: ProbeTimeout, NumMissedProbesLimit, …); the
                // defaults declare a killed silo dead after about 15 s.
                silo.Services.Configure<ClusterMembershipOptions>(configuration.GetSection("Cluster:Membership"));
                break;
            default:
                throw new InvalidOperationException($"Unknown Cluster:Mode '{cluster.Mode}'. Use Local or Postgres.");
        }

        return silo.AddMcpSilo(configuration, cluster);
    }

    /// <summary>
    /// Membership in PostgreSQL. Silos advertise <see cref="McpClusterOptions.AdvertisedAddress"/> (or the machine's
    /// first address) so silos and gateways on other machines can reach them, and bind their ports to
    /// <see cref="McpClusterOptions.ListenIPAddress"/> (the advertised address unless told otherwise).
    /// </summary>
    private static void UsePostgresCluster(this ISiloBuilder silo, McpClusterOptions cluster)
    {
        var connectionString = cluster.Postgres.RequireConnectionString();
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        var siloPort = cluster.SiloPort + cluster.Instance;
        var gatewayPort = cluster.GatewayPort + cluster.Instance;
        var listen = cluster.ListenIPAddress();
        if (cluster.Kubernetes)
        {
            silo.UseKubernetesHosting();
            silo.Configure<EndpointOptions>(o =>
            {
                o.SiloPort = siloPort;
                o.GatewayPort = gatewayPort;
            });
        }
        else
        {
            if (cluster.AdvertisedIPAddress() is { } advertised)
            {
                silo.ConfigureEndpoints(advertised, siloPort, gatewayPort, listenOnAnyHostAddress: listen is null);
            }
            else
            {
                silo.ConfigureEndpoints(siloPort, gatewayPort, listenOnAnyHostAddress: listen is null);
            }
            silo.Configure<SiloOptions>(o => o.SiloName = $"{Environment.MachineName}-{siloPort}");
        }
        if (listen is not null)
        {
            // After every other configurator (Kubernetes hosting sets its own endpoints): the operator's address wins.
            silo.Services.PostConfigure<EndpointOptions>(o =>
            {
                o.SiloListeningEndpoint = new System.Net.IPEndPoint(listen, o.SiloPort);
                o.GatewayListeningEndpoint = new System.Net.IPEndPoint(listen, o.GatewayPort);
            });
        }
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresClusterOptions.Invariant;
            o.ConnectionString = connectionString;
        });
    }

    /// <summary>Everything a silo needs besides clustering; test clusters call this directly.</summary>
    public static ISiloBuilder AddMcpSilo(this ISiloBuilder silo, IConfiguration configuration, McpClusterOptions cluster)
    {
        if (cluster.Mode == ClusterMode.Local)
        {
            // Reminders only keep model health loops running; after a restart ModelStartup wakes every model again.
            silo.UseInMemoryReminderService();
        }
        else
        {
            var connectionString = cluster.Postgres.RequireConnectionString();
            silo.UseAdoNetReminderService(o =>
            {
                o.Invariant = PostgresClusterOptions.Invariant;
                o.ConnectionString = connectionString;
            });
        }
        silo.Services.Configure<GrainDirectoryOptions>(options => options.CacheSize = cluster.DirectoryCacheSize);
        // Nobody rewinds these streams, so delivered messages need not linger in the queue caches. The defaults keep them
        // 5 to 30 minutes: under 8,000 requests/s of usage events that held over 300 MB (1 minute still held 300 MB).
        // A consumer more than 15 s behind loses what was purged, which memory streams never promised to keep anyway.
        silo.AddMemoryStreams(Changes.ChangeStreams.Provider, streams => streams.ConfigureCacheEviction(eviction => eviction.Configure(o =>
        {
            o.DataMinTimeInCache = TimeSpan.FromSeconds(5);
            o.DataMaxAgeInCache = TimeSpan.FromSeconds(15);
        })));
        var dashboard = DashboardSettings.From(configuration);
        if (dashboard.Enabled)
        {
            Orleans.Dashboard.ServiceCollectionExtensions.AddDashboard(silo, dashboard.Apply);
        }
        silo.Services.AddMcpSiloServices(configuration, cluster);
        return silo;
    }

    /// <summary>Grain storage and the options grains read; everything a silo needs besides clustering.</summary>
    public static IServiceCollection AddMcpSiloServices(this IServiceCollection services, IConfiguration configuration, McpClusterOptions cluster)
    {
        if (cluster.Mode == ClusterMode.Local)
        {
            var storage = configuration.GetSection("Storage:Sqlite").Get<SqliteStorageOptions>() ?? new SqliteStorageOptions();
            if (configuration["Storage:Sqlite:DatabasePath"] is null)
            {
                storage.DatabasePath = Path.Combine(cluster.DataDirectory, "grains.db");
            }
            services.AddSqliteGrainStorage(StorageNames.Default, storage);
            services.AddSqliteGrainStorage(Changes.ChangeStreams.PubSubStorage, storage);
        }
        else
        {
            var connectionString = cluster.Postgres.RequireConnectionString();
            foreach (var name in new[] { StorageNames.Default, Changes.ChangeStreams.PubSubStorage })
            {
                services.AddPostgresGrainStorage(name, connectionString);
            }
            services.AddSingleton<IStorageHealthProbe, PostgresHealthProbe>();
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, PostgresSchemaCheck>();
        }
        services.AddMcpOptions<McpClusterOptions>(configuration, McpClusterOptions.Section);
        services.AddMcpOptions<ApiKeyGrainOptions>(configuration, ApiKeyGrainOptions.Section);
        services.AddMcpOptions<Completions.CompletionRecordOptions>(configuration, Completions.CompletionRecordOptions.Section);
        services.TryAddSingleton<Completions.LocalCompletions>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Completions.LocalCompletions>());
        // The process's one clock (a gateway in local mode shares it); tests replace it with a FakeTimeProvider.
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<Telemetry.McpMetrics>();
        services.AddMcpOptions<McpSessions.McpSessionOptions>(configuration, McpSessions.McpSessionOptions.Section);
        services.AddMcpOptions<Usage.UsageMetricsOptions>(configuration, Usage.UsageMetricsOptions.Section);
        services.AddMcpOptions<Alerts.AlertOptions>(configuration, Alerts.AlertOptions.Section);
        services.AddOutbound(configuration);
        // Alert channels are set by admins only, so deliveries use the trusted pool.
        services.TryAddSingleton(sp => new Alerts.Channels.AlertSenders(
            sp.GetRequiredService<Outbound.OutboundHandlers>().CreateClient(Outbound.OutboundTrust.Trusted),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Alerts.AlertOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Alerts.AlertStartup>();
        services.AddModels(configuration, cluster);
        services.AddDataSources(configuration, cluster);
        return services;
    }

    /// <summary>The outbound-target policy and the two connection pools every outbound request goes through.</summary>
    private static void AddOutbound(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMcpOptions<Outbound.OutboundOptions>(configuration, Outbound.OutboundOptions.Section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Outbound.OutboundOptions>, Outbound.OutboundOptionsValidator>());
        services.TryAddSingleton<Outbound.IHostResolver, Outbound.DnsHostResolver>();
        services.TryAddSingleton<Outbound.OutboundPolicy>();
        services.TryAddSingleton<Outbound.OutboundConnector>();
        services.TryAddSingleton<Outbound.OutboundHandlers>();
    }

    private static void AddDataSources(this IServiceCollection services, IConfiguration configuration, McpClusterOptions cluster)
    {
        services.AddMcpOptions<DataSourceGrainOptions>(configuration, DataSourceGrainOptions.Section)
            .Validate(o => o.MaxValueBytes > 0 && o.MaxResultBytes > 0 && o.MaxSqlRows > 0,
                "DataSources:MaxValueBytes, DataSources:MaxResultBytes and DataSources:MaxSqlRows must be positive.")
            .Validate(o => o.MaxConcurrentSql > 0 && o.MaxConcurrentSqlPerKey > 0,
                "DataSources:MaxConcurrentSql and DataSources:MaxConcurrentSqlPerKey must be positive.")
            .Validate(o => o.PolicyLease > TimeSpan.Zero && o.UsageReportInterval > TimeSpan.Zero,
                "DataSources:PolicyLease and DataSources:UsageReportInterval must be positive.");
        DataSources.Execution.DataSourceExecutionServices.AddDataSourceExecution(services);
        services.AddMcpOptions<QueryLimits>(configuration, QueryLimits.Section);
        services.AddMcpOptions<AuditLogOptions>(configuration, AuditLogOptions.Section);
        services.TryAddSingleton<DataConnectorFactory>();

        services.AddMcpOptions<DataCacheOptions>(configuration, DataCacheOptions.Section);
        var cacheOptions = configuration.GetSection(DataCacheOptions.Section).Get<DataCacheOptions>() ?? new DataCacheOptions();
        services.AddHybridCache(o => o.MaximumPayloadBytes = cacheOptions.MaximumPayloadBytes);
        if (cacheOptions.Redis is { Length: > 0 } redis)
        {
            // HybridCache uses the registered IDistributedCache as its second level, shared by every silo.
            services.AddStackExchangeRedisCache(o =>
            {
                o.Configuration = redis;
                o.InstanceName = $"{cluster.ServiceId}:";
            });
        }
        services.TryAddSingleton<DataQueryCache>();

        if (cluster.Mode == ClusterMode.Local)
        {
            var path = Path.Combine(cluster.DataDirectory, "audit.db");
            services.TryAddSingleton<IAuditStore>(_ => SqlAuditStore.Sqlite(path));
        }
        else
        {
            var connectionString = cluster.Postgres.RequireConnectionString();
            services.TryAddSingleton<IAuditStore>(_ => SqlAuditStore.Postgres(Npgsql.NpgsqlDataSource.Create(connectionString)));
        }
        services.TryAddSingleton<AuditLog>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditLog>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, DataSourceStartup>();
    }

    private static void AddModels(this IServiceCollection services, IConfiguration configuration, McpClusterOptions cluster)
    {
        services.AddMcpOptions<ModelGrainOptions>(configuration, ModelGrainOptions.Section);
        services.AddMcpOptions<ModelBackendOptions>(configuration, ModelBackendOptions.Section);
        services.AddMcpOptions<ProviderCredentialOptions>(configuration, ProviderCredentialOptions.Section);
        services.AddMcpOptions<ModelSecretOptions>(configuration, ModelSecretOptions.Section);

        var secretOptions = configuration.GetSection(ModelSecretOptions.Section).Get<ModelSecretOptions>() ?? new ModelSecretOptions();
        var keyDirectory = secretOptions.KeyDirectory ?? Path.Combine(cluster.DataDirectory, "keys");
        var dataProtection = services.AddDataProtection()
            .SetApplicationName("mcp-cluster")
            .PersistKeysToFileSystem(new DirectoryInfo(keyDirectory));
        if (secretOptions.KeyRingCertificatePath is { } certificatePath)
        {
            if (!File.Exists(certificatePath))
            {
                throw new FileNotFoundException(
                    $"Models:Secrets:KeyRingCertificatePath points at '{certificatePath}', which does not exist.", certificatePath);
            }
            dataProtection.ProtectKeysWithCertificate(
                X509CertificateLoader.LoadPkcs12FromFile(certificatePath, secretOptions.KeyRingCertificatePassword));
        }

        services.TryAddSingleton<BackendHttpClientFactory>();
        services.TryAddSingleton<ModelBackendRegistry>();
        services.TryAddSingleton<ModelDefinitionReader>();
        services.TryAddSingleton<ModelSecretProtector>();
        services.TryAddSingleton<SentimentClassifier>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ModelStartup>();
        services.AddHostedModelPlacement(configuration);

        // One line per provider type; see "Adding a backend" in README.md.
        services.AddModelBackend<OpenAiBackend>("openai");
        services.AddModelBackend<HuggingFaceBackend>("huggingface");
        services.AddModelBackend<HttpModelBackend>("http");
        services.AddModelBackend<BuiltInBackend>("builtin");
        services.AddModelBackend<Models.Hosted.OnnxBackend>(Models.Hosted.HostedProviders.Onnx);
        services.AddModelBackend<Models.Hosted.SentenceTransformerBackend>(Models.Hosted.HostedProviders.SentenceTransformers);
        services.AddHostedModelFiles(configuration);
        services.TryAddSingleton<Models.Hosted.ModelArtifactInspector>();
        // A session unloads after Models:Hosting:IdleUnload without calls (its own timer); Orleans must not collect it sooner.
        var idle = configuration.GetSection(Models.Hosted.HostedModelOptions.Section).Get<Models.Hosted.HostedModelOptions>()?.IdleUnload
            ?? new Models.Hosted.HostedModelOptions().IdleUnload;
        services.Configure<GrainCollectionOptions>(o =>
            o.ClassSpecificCollectionAge[typeof(Models.Hosted.HostedModelGrain).FullName!] = idle + TimeSpan.FromMinutes(1));
    }

    /// <summary>Where hosted-model files are kept; the gateway registers it too, to store uploads in cluster mode.</summary>
    public static IServiceCollection AddHostedModelFiles(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMcpOptions<Models.Hosted.HostedModelOptions>(configuration, Models.Hosted.HostedModelOptions.Section);
        services.TryAddSingleton<Models.Hosted.ModelArtifactPaths>();
        services.TryAddSingleton<Models.Hosted.ModelArtifactStore>();
        return services;
    }
}
