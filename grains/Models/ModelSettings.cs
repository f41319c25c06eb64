using Mcp.Cluster.Models.Backends;

namespace Mcp.Cluster.Models;

/// <summary>The config fields every provider shares; the model grain reads them, the backend reads the rest.</summary>
public sealed record ModelSettings(ModelTask? Task, TimeSpan Timeout, int MaxRetries, TimeSpan? HealthCheckInterval, bool Http2PriorKnowledge = false,
    ModelHosting? Hosting = null)
{
    public static ModelSettings Read(ModelConfig config, ModelBackendOptions defaults)
    {
        var taskName = config.GetString("task");
        ModelTask? task = null;
        if (taskName is not null)
        {
            task = ParseTask(taskName) ?? throw ModelConfig.Invalid("task",
                "must be one of completion, chat, embedding, classification, sentiment, predict (or text-generation, text-classification, feature-extraction)");
        }
        var timeout = config.GetInt("timeout_seconds", 1, (int)defaults.MaxTimeout.TotalSeconds) is { } seconds
            ? TimeSpan.FromSeconds(seconds)
            : defaults.DefaultTimeout;
        var retries = config.GetInt("max_retries", 0, 10) ?? defaults.DefaultMaxRetries;
        var health = config.GetInt("health_check_interval_seconds", 1, 86_400) is { } h ? TimeSpan.FromSeconds(h) : (TimeSpan?)null;
        var http2 = config.GetBool("http2_prior_knowledge") ?? false;
        return new ModelSettings(task, timeout, retries, health, http2, ModelHosting.Read(config));
    }

    public static ModelTask? ParseTask(string name) => name.ToLowerInvariant() switch
    {
        "completion" or "text-generation" => ModelTask.Completion,
        "chat" => ModelTask.Chat,
        "embedding" or "feature-extraction" => ModelTask.Embedding,
        "classification" or "text-classification" => ModelTask.Classification,
        "sentiment" => ModelTask.Sentiment,
        "predict" => ModelTask.Predict,
        _ => null,
    };
}
