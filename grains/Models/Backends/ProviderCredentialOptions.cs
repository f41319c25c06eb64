namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// The operator's own account with each hosted provider, bound from the <c>Providers</c> section of the silos
/// (<c>Providers:OpenAI:ApiKey</c>, <c>Providers:HuggingFace:ApiKey</c>). A model registered with
/// <c>config.requires_api_key: true</c> and no key of its own is served with it, and only ever at the provider's
/// endpoint named here: a model that names another address must bring its own key.
/// </summary>
public sealed class ProviderCredentialOptions
{
    public const string Section = "Providers";

    public ProviderCredential OpenAI { get; set; } = new() { BaseUrl = "https://api.openai.com/v1/" };

    public ProviderCredential HuggingFace { get; set; } = new() { BaseUrl = "https://router.huggingface.co/hf-inference/", HubUrl = "https://huggingface.co/" };
}

public sealed class ProviderCredential
{
    /// <summary>Sent only to <see cref="BaseUrl"/> (and, for Hugging Face, <see cref="HubUrl"/>); never returned by the API.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The provider's endpoint for models that name none (an operator may point it at a proxy).</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>Where Hugging Face model cards are read for health checks.</summary>
    public string? HubUrl { get; set; }
}
