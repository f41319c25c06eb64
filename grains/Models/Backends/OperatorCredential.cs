namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// Reads <c>config.requires_api_key</c> (the user guide's way to say "use the operator's credential for this
/// provider") and decides which key a backend sends: the model's own <c>api_key</c> when it has one, else the
/// operator's when asked for. One rule for every hosted provider.
/// </summary>
public static class OperatorCredential
{
    /// <param name="addressFields">Settings that send requests elsewhere than the provider's own endpoint.</param>
    /// <param name="setting">The silo setting that holds the operator's key, for messages.</param>
    /// <returns>The key to send (or null), and why the model cannot be served yet (or null).</returns>
    /// <exception cref="ModelConfigException">The operator's key is asked for together with another address.</exception>
    public static (string? ApiKey, string? Missing) Resolve(ModelConfig config, ProviderCredential operatorCredential, string setting, params string[] addressFields)
    {
        var requires = config.GetBool("requires_api_key") ?? false;
        var own = config.GetString("api_key");
        if (!requires || own is not null)
        {
            return (own, null);
        }
        foreach (var field in addressFields)
        {
            if (config.Has(field))
            {
                throw ModelConfig.Invalid("requires_api_key",
                    $"asks for the operator's credential, which is only ever sent to the provider's own endpoint ({operatorCredential.BaseUrl}); " +
                    $"a model that sets config.{field} must bring its own config.api_key");
            }
        }
        return string.IsNullOrEmpty(operatorCredential.ApiKey)
            ? (null, $"config.requires_api_key asks for the operator's credential, but the silos have no {setting} setting " +
                $"(an operator sets it, e.g. MCP_{setting.Replace(":", "__", StringComparison.Ordinal)}; or the model's owner gives config.api_key)")
            : (operatorCredential.ApiKey, null);
    }
}
