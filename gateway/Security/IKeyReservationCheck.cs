namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// A key check left to the completion runner: one key-grain call authorizes and meters the request and reserves its
/// tokens; a refusal is answered by the implementation in its protocol's shape (HTTP status and body, or a WebSocket
/// error frame) before the answer comes back without a caller.
/// </summary>
public interface IKeyReservationCheck
{
    Task<KeyReservation> AuthorizeAndReserveAsync(string reservationId, long tokens);
}
