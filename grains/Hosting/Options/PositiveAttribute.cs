using System.ComponentModel.DataAnnotations;

namespace Mcp.Cluster.Hosting;

/// <summary>A setting that must be above zero: an interval, a timeout, a size, a count.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PositiveAttribute() : ValidationAttribute("{0} must be greater than zero.")
{
    public override bool IsValid(object? value) => value switch
    {
        null => true,
        TimeSpan span => span > TimeSpan.Zero,
        int number => number > 0,
        long number => number > 0,
        double number => number > 0,
        _ => false,
    };
}
