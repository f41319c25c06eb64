using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Hosting;

/// <summary>
/// Checks an options class's validation attributes and names each bad value by its configuration key
/// (<c>ApiKeys:UsageFlushInterval must be greater than zero.</c>), so the operator knows which setting stopped the start.
/// </summary>
public sealed class SettingsValidator<TOptions>(string section) : IValidateOptions<TOptions> where TOptions : class
{
    private readonly (PropertyInfo Property, ValidationAttribute[] Rules)[] _checked = typeof(TOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => (p, p.GetCustomAttributes<ValidationAttribute>(inherit: true).ToArray()))
        .Where(p => p.Item2.Length > 0)
        .ToArray();

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        List<string>? failures = null;
        foreach (var (property, rules) in _checked)
        {
            var value = property.GetValue(options);
            var context = new ValidationContext(options) { MemberName = property.Name, DisplayName = $"{section}:{property.Name}" };
            foreach (var rule in rules)
            {
                if (rule.GetValidationResult(value, context) is { ErrorMessage: { } message })
                {
                    (failures ??= []).Add($"{message} (it is '{value}')");
                }
            }
        }
        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
