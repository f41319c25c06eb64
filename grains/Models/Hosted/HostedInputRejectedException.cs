namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// The host's session refused one caller's input (a shape the signature does not allow, a value the model cannot
/// take, such as a token id beyond its vocabulary): a 400 for that caller, naming <see cref="Index"/> in a batch.
/// It crosses silos as its own type.
/// </summary>
[GenerateSerializer, Alias("mcp.HostedInputRejectedException")]
public sealed class HostedInputRejectedException : Exception
{
    public HostedInputRejectedException()
    {
    }

    public HostedInputRejectedException(string message, int? index = null) : base(message) => Index = index;

    [Id(0)]
    public int? Index { get; init; }
}
