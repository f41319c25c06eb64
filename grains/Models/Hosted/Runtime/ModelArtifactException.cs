namespace Mcp.Cluster.Models.Hosted.Runtime;

/// <summary>
/// A model file hosting cannot use: not ONNX, corrupt or truncated, or with inputs or outputs of a kind hosting does
/// not run. The message says what is wrong and what to do about it; it is meant for the user who attached the file.
/// </summary>
public sealed class ModelArtifactException(string message, Exception? innerException = null)
    : Exception(message, innerException);
