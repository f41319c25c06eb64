using System.Text.Json.Nodes;
using Mcp.Cluster.Models.Backends;
using Mcp.Cluster.Models.Backends.BuiltIn;
using Mcp.Cluster.Models.Backends.HuggingFace;
using Mcp.Cluster.Models.Backends.Http;
using Mcp.Cluster.Models.Backends.OpenAi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Tests.Models;

/// <summary>Builds backends through the production registry and HTTP client factory, as the model grain does.</summary>
public static class BackendHarness
{
    private static readonly ServiceProvider Services = CreateServices();

    public static ModelBackend Create(string provider, JsonObject config, TimeSpan? timeout = null, int maxRetries = 2, bool http2PriorKnowledge = false)
    {
        var registry = Services.GetRequiredService<ModelBackendRegistry>();
        // The backends under test talk to wire servers on loopback, as an admin-registered model may.
        return registry.Create(provider, "mod_test", new ModelConfig(config), timeout ?? TimeSpan.FromSeconds(30), maxRetries, http2PriorKnowledge,
            Mcp.Cluster.Outbound.OutboundTrust.Trusted);
    }

    private static ServiceProvider CreateServices()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Options.Create(new ModelBackendOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(20) }));
        services.AddSingleton(Options.Create(new ProviderCredentialOptions()));
        services.AddSingleton(Options.Create(new Mcp.Cluster.Outbound.OutboundOptions()));
        services.AddSingleton<Mcp.Cluster.Outbound.IHostResolver, Mcp.Cluster.Outbound.DnsHostResolver>();
        services.AddSingleton<Mcp.Cluster.Outbound.OutboundPolicy>();
        services.AddSingleton<Mcp.Cluster.Outbound.OutboundConnector>();
        services.AddSingleton<Mcp.Cluster.Outbound.OutboundHandlers>();
        services.AddSingleton<BackendHttpClientFactory>();
        services.AddSingleton<ModelBackendRegistry>();
        services.AddSingleton<SentimentClassifier>();
        services.AddModelBackend<OpenAiBackend>("openai");
        services.AddModelBackend<HuggingFaceBackend>("huggingface");
        services.AddModelBackend<HttpModelBackend>("http");
        services.AddModelBackend<BuiltInBackend>("builtin");
        return services.BuildServiceProvider();
    }
}
