using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Models.Hosted.Placement;

/// <summary>A model memory budget that is not a size stops the silo at start, naming the setting and its value.</summary>
public sealed class SiloResourceOptionsValidator : IValidateOptions<SiloResourceOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloResourceOptions options) =>
        options.ModelMemory is { } text && ModelHosting.ParseBytes(text) is null
            ? ValidateOptionsResult.Fail(
                $"{SiloResourceOptions.Section}:ModelMemory must be a size such as \"8GB\", \"512MiB\" or a number of bytes (it is '{text}').")
            : ValidateOptionsResult.Success;
}
