using System.Reflection;
using Mcp.Cluster.Tests.Infrastructure.State;

namespace Mcp.Cluster.Tests.Unit;

/// <summary>
/// What keeps stored grain state loadable across versions: pinned grain type names and type aliases (a rename must
/// never orphan state), and state defaults that are fresh objects for every instance.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class GrainStateContractTests
{
    /// <summary>
    /// The grain type names stored state is keyed by. They are Orleans' former names by convention (class name, lower
    /// case, without "Grain"); changing one orphans every stored grain of that type.
    /// </summary>
    private static readonly string[] PinnedGrainTypes =
    [
        "alertchannel", "alertevaluator", "apikey", "apikeydirectory", "auditlog", "clusterhealth", "datasource", "datasource-ask", "datasource-executor",
        "datasource-insights", "datasource-tests", "hosted-model", "integration", "mcpeventstream", "mcpsession", "model", "model-placement", "modelcatalog", "modelexecutor", "namecatalog", "prompt", "usagemetrics",
    ];

    [Fact]
    public void Every_grain_class_pins_its_grain_type_to_the_stored_name()
    {
        var pinned = PersistedStateTypes.GrainClasses
            .Select(t => (Type: t, Name: t.GetCustomAttribute<GrainTypeAttribute>() is { } a ? GrainTypeName(a) : null))
            .ToArray();
        Assert.All(pinned, p => Assert.True(p.Name is not null, $"{p.Type.Name} has no [GrainType]"));
        Assert.Equal(PinnedGrainTypes, pinned.Select(p => p.Name!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_serializable_type_has_a_unique_alias()
    {
        var types = new[] { PersistedStateTypes.GrainAssembly, PersistedStateTypes.InterfaceAssembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.GetCustomAttribute<GenerateSerializerAttribute>() is not null && t.Namespace?.StartsWith("OrleansCodeGen", StringComparison.Ordinal) != true)
            .ToArray();
        Assert.NotEmpty(types);
        var missing = types.Where(t => t.GetCustomAttribute<AliasAttribute>() is null).Select(t => t.FullName).ToArray();
        Assert.True(missing.Length == 0, "no [Alias]: " + string.Join(", ", missing));
        var duplicates = types.GroupBy(t => t.GetCustomAttribute<AliasAttribute>()!.Alias).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        Assert.True(duplicates.Length == 0, "alias used twice: " + string.Join(", ", duplicates));
    }

    [Fact]
    public void Persisted_state_types_are_found()
    {
        Assert.Contains(PersistedStateTypes.All, t => t.Name == "ApiKeyState");
        Assert.Contains(PersistedStateTypes.All, t => t.Name == "DataSourceState");
        Assert.True(PersistedStateTypes.All.Count >= 12, $"found {PersistedStateTypes.All.Count} state types");
    }

    /// <summary>
    /// Two new states must share no object: a deserializer that fills existing objects (Newtonsoft's default) would
    /// otherwise write one key's limits into every key loaded after it.
    /// </summary>
    [Theory]
    [MemberData(nameof(PersistedStateTypes.Names), MemberType = typeof(PersistedStateTypes))]
    public void State_defaults_are_fresh_objects_for_every_instance(string typeName)
    {
        var type = PersistedStateTypes.Find(typeName);
        var first = Activator.CreateInstance(type)!;
        var second = Activator.CreateInstance(type)!;
        var shared = new List<string>();
        FindShared(first, second, type.Name, shared, depth: 0);
        Assert.True(shared.Count == 0, "shared between instances: " + string.Join(", ", shared));
    }

    [Theory]
    [MemberData(nameof(PersistedStateTypes.Names), MemberType = typeof(PersistedStateTypes))]
    public void Samples_of_different_seeds_differ_in_every_stored_value(string typeName)
    {
        var type = PersistedStateTypes.Find(typeName);
        var one = StateDump.Of(new StateSamples(1).Create(type, 0));
        var two = StateDump.Of(new StateSamples(2).Create(type, 0));
        Assert.NotEqual(one, two);
        Assert.DoesNotContain(one, line => line.Value == "null");
    }

    private static void FindShared(object first, object second, string path, List<string> shared, int depth)
    {
        if (depth > 8)
        {
            return;
        }
        foreach (var member in StoredMembers.Of(first.GetType()))
        {
            var a = member.GetValue(first);
            var b = member.GetValue(second);
            if (a is null || b is null || a is string || a.GetType().IsValueType)
            {
                continue;
            }
            if (ReferenceEquals(a, b) && !IsEmptyImmutable(a))
            {
                shared.Add($"{path}.{member.Name}");
                continue;
            }
            FindShared(a, b, $"{path}.{member.Name}", shared, depth + 1);
        }
    }

    /// <summary>Shared empty arrays cannot be written through.</summary>
    private static bool IsEmptyImmutable(object value) => value is Array { Length: 0 };

    private static string GrainTypeName(GrainTypeAttribute attribute) =>
        attribute.GetGrainType(null!, null!).ToString()!;
}
