namespace Mcp.Cluster.Models.Hosted;

/// <summary>The providers whose models the cluster runs itself, from a file, instead of calling a service.</summary>
public static class HostedProviders
{
    public const string Onnx = "onnx";
    public const string SentenceTransformers = "sentence_transformers";

    public static bool IsHosted(string provider) =>
        provider.Equals(Onnx, StringComparison.OrdinalIgnoreCase) || provider.Equals(SentenceTransformers, StringComparison.OrdinalIgnoreCase);
}
