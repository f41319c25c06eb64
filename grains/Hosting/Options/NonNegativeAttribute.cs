using System.ComponentModel.DataAnnotations;

namespace Mcp.Cluster.Hosting;

/// <summary>A setting where zero means "none" (no retries, no delay, keep nothing) but a negative value means nothing.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NonNegativeAttribute() : ValidationAttribute("{0} must not be negative.")
{
    public override bool IsValid(object? value) => value switch
    {
        null => true,
        TimeSpan span => span >= TimeSpan.Zero,
        int number => number >= 0,
        long number => number >= 0,
        double number => number >= 0,
        _ => false,
    };
}
