namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// Endpoint metadata: the route runs a completion, whose key is authorized together with its token reservation in one
/// key-grain call (<see cref="PendingApiKeyAuthorization"/>) once the body says how many tokens to reserve. The
/// <c>ApiKey</c> scheme only checks that a well-formed key was presented (401 before the body is read otherwise), and
/// nothing reaches the model before that one call allowed it.
/// </summary>
public sealed class ReservesTokens
{
    public static readonly ReservesTokens Instance = new();

    private ReservesTokens()
    {
    }
}
