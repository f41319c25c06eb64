using System.Reflection;
using Mcp.Cluster.ApiKeys;

namespace Mcp.Cluster.Tests.Infrastructure.State;

/// <summary>Every grain class and every type a grain persists, found from the grains' constructors.</summary>
public static class PersistedStateTypes
{
    public static Assembly GrainAssembly => typeof(ApiKeyGrain).Assembly;

    public static Assembly InterfaceAssembly => typeof(IApiKeyGrain).Assembly;

    public static IReadOnlyList<Type> GrainClasses { get; } = GrainAssembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(Grain).IsAssignableFrom(t))
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToArray();

    public static IReadOnlyList<Type> All { get; } = GrainClasses
        .SelectMany(t => t.GetConstructors())
        .SelectMany(c => c.GetParameters())
        .Where(p => p.GetCustomAttribute<PersistentStateAttribute>() is not null)
        .Select(p => p.ParameterType.GetGenericArguments().Single())
        .Distinct()
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToArray();

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var type in All)
        {
            data.Add(type.FullName!);
        }
        return data;
    }

    public static Type Find(string fullName) => All.Single(t => t.FullName == fullName);
}
