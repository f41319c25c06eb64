namespace Mcp.Cluster.Models.Hosted.Runtime;

/// <summary>
/// The device a model asks for exists in configuration but not in this silo's ONNX Runtime (e.g. "cuda:0" on the CPU
/// build). The model file is fine; a silo with the GPU build could host it, so this is not a <see cref="ModelArtifactException"/>.
/// </summary>
public sealed class OnnxDeviceUnavailableException(string message, Exception? innerException = null)
    : Exception(message, innerException);
