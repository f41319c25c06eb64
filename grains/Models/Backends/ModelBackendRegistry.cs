using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.Models.Backends;

/// <summary>Builds backends by provider name from the <see cref="ModelBackendRegistration"/>s in the container.</summary>
public sealed class ModelBackendRegistry
{
    private readonly Dictionary<string, ObjectFactory> _factories = new(StringComparer.OrdinalIgnoreCase);
    private readonly IServiceProvider _services;
    private readonly BackendHttpClientFactory _http;
    private readonly ILoggerFactory _logs;

    public ModelBackendRegistry(IEnumerable<ModelBackendRegistration> registrations, IServiceProvider services,
        BackendHttpClientFactory http, ILoggerFactory logs)
    {
        foreach (var registration in registrations)
        {
            _factories[registration.Provider] = ActivatorUtilities.CreateFactory(registration.BackendType, [typeof(ModelBackendContext)]);
        }
        _services = services;
        _http = http;
        _logs = logs;
    }

    public IReadOnlyCollection<string> Providers => _factories.Keys;

    public bool IsKnown(string provider) => _factories.ContainsKey(provider);

    /// <exception cref="ModelConfigException">The config does not suit the provider.</exception>
    /// <param name="trust">Who set the model's targets, which decides the connection pool its requests use.</param>
    public ModelBackend Create(string provider, string modelId, ModelConfig config, TimeSpan timeout, int maxRetries,
        bool http2PriorKnowledge, Outbound.OutboundTrust trust, Hosted.HostedSessionSpec? hosted = null)
    {
        if (!_factories.TryGetValue(provider, out var factory))
        {
            throw new ModelConfigException("provider", $"Unknown provider '{provider}'. Known providers: {string.Join(", ", _factories.Keys.Order())}.");
        }
        var http = _http.Create(maxRetries, http2PriorKnowledge, trust);
        var context = new ModelBackendContext(modelId, config, http, timeout, _logs.CreateLogger($"Mcp.Cluster.Models.Backends.{provider}"), hosted);
        try
        {
            var backend = (ModelBackend)factory(_services, [context]);
            backend.OwnHttpClient(http);
            return backend;
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>How long a backend may take to initialize (a local model loading its file, a remote one its settings).</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Builds the backend and initializes it within <see cref="StartTimeout"/>; a backend that fails to start is
    /// disposed before the failure is thrown.
    /// </summary>
    public async Task<ModelBackend> StartAsync(string provider, string modelId, ModelConfig config, TimeSpan timeout, int maxRetries,
        bool http2PriorKnowledge, Outbound.OutboundTrust trust, Hosted.HostedSessionSpec? hosted = null)
    {
        var backend = Create(provider, modelId, config, timeout, maxRetries, http2PriorKnowledge, trust, hosted);
        try
        {
            using var start = new CancellationTokenSource(StartTimeout);
            await backend.InitializeAsync(start.Token);
            return backend;
        }
        catch
        {
            await backend.DisposeAsync();
            throw;
        }
    }

    /// <summary>Disposes <paramref name="backend"/> after <paramref name="grace"/>, so calls still running on it finish first.</summary>
    public static void Retire(ModelBackend backend, TimeSpan grace) =>
        _ = Task.Delay(grace).ContinueWith(_ => backend.DisposeAsync().AsTask(), TaskScheduler.Default);
}
