using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>Stops the start on OAuth settings that do not hold together, naming the setting (<see cref="OAuthOptions.Problem"/>).</summary>
public sealed class OAuthOptionsValidator : IValidateOptions<OAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, OAuthOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
