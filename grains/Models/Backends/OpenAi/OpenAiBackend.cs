using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using OpenAI.Models;

namespace Mcp.Cluster.Models.Backends.OpenAi;

/// <summary>
/// Any OpenAI-compatible endpoint (OpenAI, Azure OpenAI's v1 API, vLLM, Ollama's /v1, llama.cpp server) through the
/// official OpenAI .NET library. The library's own retries are off: the shared <see cref="RetryingHttpHandler"/>
/// underneath retries with backoff and honours Retry-After, the same as for every other backend.
/// Completion requests are sent as a single user turn to the chat endpoint, since the library has no legacy
/// completions client. Streaming is read without the library (see <see cref="OpenAiChatStream"/>), over the same
/// HTTP client and with the same headers.
/// </summary>
public sealed class OpenAiBackend : ModelBackend
{
    private static readonly IReadOnlySet<ModelTask> Supported = new HashSet<ModelTask> { ModelTask.Chat, ModelTask.Completion, ModelTask.Embedding };

    private readonly ChatClient _chat;
    private readonly OpenAiChatStream _stream;
    private readonly EmbeddingClient _embeddings;
    private readonly OpenAIModelClient _models;
    private readonly string _providerModel;
    private readonly int? _defaultMaxTokens;
    private readonly double? _defaultTemperature;
    private readonly int? _embeddingDimensions;
    private readonly bool _verifyModel;

    public OpenAiBackend(ModelBackendContext context, Microsoft.Extensions.Options.IOptions<ProviderCredentialOptions> providers)
    {
        var config = context.Config;
        var (ownOrOperatorKey, missing) = OperatorCredential.Resolve(config, providers.Value.OpenAI, "Providers:OpenAI:ApiKey", "base_url");
        Unconfigured = missing;
        var baseUrl = config.GetBaseUri("base_url", providers.Value.OpenAI.BaseUrl)!;
        _providerModel = config.RequireString("provider_model");
        // Local servers (Ollama, llama.cpp) accept any key; the library insists on one.
        var apiKey = ownOrOperatorKey ?? "unused";
        var apiKeyHeader = config.GetString("api_key_header");
        if (apiKeyHeader is not null && OutboundHeaders.Problem(apiKeyHeader, "") is { } problem)
        {
            throw ModelConfig.Invalid("api_key_header", problem);
        }
        var organization = config.GetString("organization");
        var headers = config.GetHeaders("headers");
        _defaultMaxTokens = config.GetInt("max_tokens", 1, 1_000_000);
        _defaultTemperature = config.GetDouble("temperature", 0, 2);
        _embeddingDimensions = config.GetInt("embedding_dimensions", 1, 100_000);
        _verifyModel = config.GetBool("verify_model") ?? true;

        var options = new OpenAIClientOptions
        {
            Endpoint = baseUrl,
            Transport = new HttpClientPipelineTransport(context.Http),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            // The model grain bounds every call (and each wait for the next streamed chunk) with the model's timeout.
            // Left to the library too, every streamed response would be wrapped in a read-timeout stream with a timer
            // and a token source of its own: memory that adds up over thousands of open streams.
            NetworkTimeout = Timeout.InfiniteTimeSpan,
            OrganizationId = organization,
        };
        if (apiKeyHeader is not null || headers.Count > 0)
        {
            options.AddPolicy(new HeaderPolicy(apiKeyHeader, apiKey, headers), PipelinePosition.BeforeTransport);
        }

        var credential = new ApiKeyCredential(apiKey);
        _chat = new ChatClient(_providerModel, credential, options);
        _stream = new OpenAiChatStream(context.Http, new Uri(baseUrl, "chat/completions"), _providerModel,
            StreamHeaders(apiKey, apiKeyHeader, organization, headers));
        _embeddings = new EmbeddingClient(_providerModel, credential, options);
        _models = new OpenAIModelClient(credential, options);
    }

    public override IReadOnlySet<ModelTask> Capabilities => Supported;

    public override ModelTask DefaultTask => ModelTask.Chat;

    public override bool SupportsStreaming => true;

    public override async Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            var models = (await _models.GetModelsAsync(cancellationToken)).Value;
            if (_verifyModel && models.Count > 0 && !models.Any(m => string.Equals(m.Id, _providerModel, StringComparison.Ordinal)))
            {
                return BackendHealth.Failed($"The endpoint does not serve '{_providerModel}'.");
            }
            return BackendHealth.Ok;
        }
        catch (ClientResultException e)
        {
            return BackendHealth.Failed($"Listing models returned HTTP {e.Status}: {Trim(e.Message)}");
        }
        catch (HttpRequestException e)
        {
            return BackendHealth.Failed($"Endpoint unreachable: {e.Message}");
        }
    }

    public override async Task<TextGenerationResult> GenerateAsync(TextGenerationRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var completion = (await _chat.CompleteChatAsync(ToMessages(request), ToOptions(request), cancellationToken)).Value;
            var text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
            return new TextGenerationResult(text, FinishReason(completion.FinishReason), ToUsage(completion.Usage));
        }
        catch (ClientResultException e)
        {
            throw Upstream(e);
        }
    }

    public override IAsyncEnumerable<TextGenerationChunk> StreamAsync(TextGenerationRequest request, CancellationToken cancellationToken) =>
        _stream.StreamAsync(request, request.MaxTokens ?? _defaultMaxTokens, request.Temperature ?? _defaultTemperature, cancellationToken);

    public override async Task<EmbeddingResult> EmbedAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        try
        {
            var options = new EmbeddingGenerationOptions { Dimensions = _embeddingDimensions };
            var collection = (await _embeddings.GenerateEmbeddingsAsync(inputs, options, cancellationToken)).Value;
            var vectors = new float[inputs.Count][];
            foreach (var embedding in collection)
            {
                if (embedding.Index < 0 || embedding.Index >= vectors.Length)
                {
                    throw new ModelBackendException($"The provider returned an embedding for input {embedding.Index} of {inputs.Count}.");
                }
                vectors[embedding.Index] = embedding.ToFloats().ToArray();
            }
            if (Array.FindIndex(vectors, v => v is null) is var missing and >= 0)
            {
                throw new ModelBackendException($"The provider returned no embedding for input {missing}.");
            }
            var usage = collection.Usage is { } u ? new TokenUsage(u.InputTokenCount, 0) : null;
            return new EmbeddingResult(vectors, usage);
        }
        catch (ClientResultException e)
        {
            throw Upstream(e);
        }
    }

    private static List<OpenAI.Chat.ChatMessage> ToMessages(TextGenerationRequest request)
    {
        if (request.Prompt is not null)
        {
            return [new UserChatMessage(request.Prompt)];
        }
        return request.Messages.Select(m => (OpenAI.Chat.ChatMessage)(m.Role switch
        {
            "system" => new SystemChatMessage(m.Content),
            "assistant" => new AssistantChatMessage(m.Content),
            _ => new UserChatMessage(m.Content),
        })).ToList();
    }

    private ChatCompletionOptions ToOptions(TextGenerationRequest request)
    {
        var options = new ChatCompletionOptions
        {
            MaxOutputTokenCount = request.MaxTokens ?? _defaultMaxTokens,
            Temperature = (float?)(request.Temperature ?? _defaultTemperature),
            TopP = (float?)request.TopP,
        };
        foreach (var stop in request.Stop ?? [])
        {
            options.StopSequences.Add(stop);
        }
        return options;
    }

    /// <summary>What the library's pipeline sends (key, organization, extra headers), for the streams read without it.</summary>
    private static Dictionary<string, string> StreamHeaders(string apiKey, string? apiKeyHeader, string? organization, IReadOnlyDictionary<string, string> headers)
    {
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (apiKeyHeader is null || apiKeyHeader.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
        {
            all["Authorization"] = "Bearer " + apiKey;
        }
        else
        {
            all[apiKeyHeader] = apiKey;
        }
        if (organization is not null)
        {
            all["OpenAI-Organization"] = organization;
        }
        foreach (var (name, value) in headers)
        {
            all[name] = value;
        }
        return all;
    }

    private static TokenUsage? ToUsage(ChatTokenUsage? usage) =>
        usage is null ? null : new TokenUsage(usage.InputTokenCount, usage.OutputTokenCount);

    private static string FinishReason(ChatFinishReason reason) => reason switch
    {
        ChatFinishReason.Stop => "stop",
        ChatFinishReason.Length => "length",
        ChatFinishReason.ContentFilter => "content_filter",
        ChatFinishReason.ToolCalls => "tool_calls",
        ChatFinishReason.FunctionCall => "function_call",
        _ => reason.ToString().ToLowerInvariant(),
    };

    private static ModelBackendException Upstream(ClientResultException e) =>
        new($"The provider returned HTTP {e.Status}: {Trim(e.Message)}", e.Status, e);

    private static string Trim(string message) => message.Length > 500 ? message[..500] + "…" : message;

    /// <summary>Azure's <c>api-key</c> header, or any extra headers a deployment needs.</summary>
    private sealed class HeaderPolicy(string? apiKeyHeader, string apiKey, IReadOnlyDictionary<string, string> headers) : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Apply(message);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Apply(message);
            return ProcessNextAsync(message, pipeline, currentIndex);
        }

        private void Apply(PipelineMessage message)
        {
            if (apiKeyHeader is not null && !apiKeyHeader.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                message.Request.Headers.Remove("Authorization");
                message.Request.Headers.Set(apiKeyHeader, apiKey);
            }
            foreach (var (name, value) in headers)
            {
                message.Request.Headers.Set(name, value);
            }
        }
    }
}
