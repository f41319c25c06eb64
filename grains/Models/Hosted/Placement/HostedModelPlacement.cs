namespace Mcp.Cluster.Models.Hosted.Placement;

/// <summary>
/// Placement of hosted-model sessions: the activation goes to the silo the ledger (<see cref="IModelPlacementGrain"/>)
/// chose, which the caller names in the request context around the call that activates it
/// (<c>using var _ = HostedModelPlacement.Target(decision.Silo);</c>). The director decides nothing itself.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.HostedModelPlacement")]
public sealed class HostedModelPlacement : PlacementStrategy
{
    /// <summary>The request-context key holding the chosen silo, as <see cref="SiloAddress.ToParsableString"/>.</summary>
    public const string TargetSiloKey = "mcp.hosted-silo";

    public static HostedModelPlacement Singleton { get; } = new();

    /// <summary>
    /// Names <paramref name="silo"/> as the target of the calls made until the scope is disposed, which puts back
    /// whatever target was set before (so a grain's later calls do not carry it).
    /// </summary>
    public static TargetScope Target(SiloAddress silo)
    {
        var previous = RequestContext.Get(TargetSiloKey);
        RequestContext.Set(TargetSiloKey, silo.ToParsableString());
        return new TargetScope(previous);
    }

    /// <summary>The silo named by <see cref="Target"/> in a request's context data; null when none (or not an address).</summary>
    public static SiloAddress? TargetOf(IReadOnlyDictionary<string, object>? requestContextData)
    {
        if (requestContextData?.TryGetValue(TargetSiloKey, out var value) != true || value is not string text)
        {
            return null;
        }
        try
        {
            return SiloAddress.FromParsableString(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public readonly struct TargetScope(object? previous) : IDisposable
    {
        public void Dispose()
        {
            if (previous is null)
            {
                RequestContext.Remove(TargetSiloKey);
            }
            else
            {
                RequestContext.Set(TargetSiloKey, previous);
            }
        }
    }
}
