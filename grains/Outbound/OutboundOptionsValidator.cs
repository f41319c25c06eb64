using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Outbound;

/// <summary>Refuses a start with an allowlist entry that cannot be read, rather than silently ignoring it.</summary>
public sealed class OutboundOptionsValidator : IValidateOptions<OutboundOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboundOptions options)
    {
        var bad = options.AllowedTargets.Where(t => !AllowedTarget.TryParse(t ?? "", out _)).ToArray();
        return bad.Length == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{OutboundOptions.Section}:AllowedTargets has entries that are not a host name, host:port, IP address or CIDR range: {string.Join(", ", bad.Select(b => $"'{b}'"))}.");
    }
}
