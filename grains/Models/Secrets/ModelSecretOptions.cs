namespace Mcp.Cluster.Models.Secrets;

public sealed class ModelSecretOptions
{
    public const string Section = "Models:Secrets";

    /// <summary>Where the Data Protection key ring lives; defaults to <c>{Cluster:DataDirectory}/keys</c>.</summary>
    public string? KeyDirectory { get; set; }

    /// <summary>
    /// A PKCS#12 (.pfx) certificate that encrypts the key ring itself. Without one the ring's XML files hold the keys
    /// in plain form, so whoever can read the data directory can decrypt model secrets.
    /// </summary>
    public string? KeyRingCertificatePath { get; set; }

    public string? KeyRingCertificatePassword { get; set; }

    /// <summary>
    /// Which environment variables a model's config may reference as <c>${NAME}</c> (<c>*</c> matches any run of
    /// characters). Names starting with <c>MCP_</c>, the gateway's own settings, are never allowed.
    /// </summary>
    public List<string> AllowedEnvironmentVariables { get; set; } = ["*_API_KEY", "*_TOKEN", "*_SECRET", "*_PASSWORD"];
}
