namespace Mcp.Cluster.Models.Hosted.Runtime;

/// <summary>
/// ONNX Runtime refused to run the model on the inputs given (e.g. a token id past the end of the vocabulary, or
/// shapes the graph cannot combine) after they passed the signature checks. An <see cref="ArgumentException"/>, so it
/// answers as bad input; a separate type so a batcher can tell that one item may have spoiled a shared run and retry
/// the items one by one.
/// </summary>
public sealed class OnnxInputRejectedException(string message, Exception? innerException = null)
    : ArgumentException(message, innerException);
