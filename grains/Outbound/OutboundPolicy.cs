using System.Net;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Outbound;

/// <summary>
/// Decides which targets non-admin keys may point the cluster at. Checked twice: on the URL when a target is set
/// (<see cref="RefuseTarget"/>), and on every address a restricted connection is about to open
/// (<see cref="RefuseAddress"/>, from <see cref="OutboundConnector"/>), so a name that resolves somewhere else
/// later (DNS rebinding) or a redirect cannot get around it.
/// </summary>
public sealed class OutboundPolicy(IOptions<OutboundOptions> options)
{
    private readonly AllowedTarget[] _allowed = options.Value.AllowedTargets
        .Select(t => AllowedTarget.TryParse(t, out var parsed) ? parsed : null).OfType<AllowedTarget>().ToArray();

    private bool AllowPublic => options.Value.AllowPublicTargets;

    /// <summary>Why a target URL may not be set by this caller, or null when it may.</summary>
    public string? RefuseTarget(Uri uri, bool byAdmin)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "must be an absolute http or https URL";
        }
        return byAdmin ? null : RefuseHost(uri.IdnHost, uri.Port);
    }

    /// <summary>Why a non-admin target host (a name or an address in any notation) is refused, or null.</summary>
    public string? RefuseHost(string host, int port)
    {
        if (IsAllowedName(host, port))
        {
            return null;
        }
        if (HostAddress.TryParse(host, out var address))
        {
            return RefuseAddress(address, port) is { } reason ? $"points at {address} ({reason})" : null;
        }
        var name = HostAddress.Normalize(host);
        if (name == "localhost" || name.EndsWith(".localhost", StringComparison.Ordinal))
        {
            return $"points at {name} (loopback)";
        }
        return AllowPublic ? null : $"points at {name}, which is not in {OutboundOptions.Section}:AllowedTargets";
    }

    /// <summary>Whether the operator allowed this host name (and port) for everyone, whatever it resolves to.</summary>
    public bool IsAllowedName(string host, int port) => _allowed.Any(a => a.MatchesName(host, port));

    /// <summary>Why a non-admin connection may not go to this address, or null when it may.</summary>
    public string? RefuseAddress(IPAddress address, int port)
    {
        if (_allowed.Any(a => a.MatchesAddress(address, port)))
        {
            return null;
        }
        if (InternalAddresses.Classify(address) is { } reason)
        {
            return reason;
        }
        return AllowPublic ? null : $"not in {OutboundOptions.Section}:AllowedTargets";
    }
}
