using System.Reflection;

namespace Mcp.Cluster.Tests.Unit;

/// <summary>
/// Every test class names its tier, so <c>--filter "Tier!=System"</c> (the fast tiers) never picks up a test that
/// starts a process or needs PostgreSQL, Redis, Azurite, promtool or Node: an untagged class would silently land in
/// the fast tiers.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class TestTierTests
{
    public static readonly IReadOnlySet<string> Tiers = new HashSet<string>(StringComparer.Ordinal) { "Unit", "Grain", "Api", "System" };

    [Fact]
    public void Every_test_class_carries_exactly_one_known_tier()
    {
        var testClasses = typeof(TestTierTests).Assembly.GetTypes()
            // As xunit discovers them: public classes only.
            .Where(type => type is { IsClass: true, IsAbstract: false, IsVisible: true } && HasTests(type))
            .ToArray();
        Assert.NotEmpty(testClasses);

        var wrong = testClasses
            .Select(type => (type, tiers: TierValues(type)))
            .Where(t => t.tiers.Count != 1 || !Tiers.Contains(t.tiers[0]))
            .Select(t => $"{t.type.FullName}: [{string.Join(", ", t.tiers)}]")
            .ToArray();
        Assert.True(wrong.Length == 0,
            $"Each test class needs exactly one class-level [Trait(\"Tier\", X)] with X in {string.Join("|", Tiers)}:\n{string.Join("\n", wrong)}");
    }

    [Fact]
    public void The_check_sees_a_missing_or_unknown_tier()
    {
        Assert.Empty(TierValues(typeof(Untagged)));
        Assert.Equal(["Slow"], TierValues(typeof(UnknownTier)));
        Assert.Equal(["Unit", "Api"], TierValues(typeof(TwoTiers)));
        Assert.True(HasTests(typeof(TestTierTests)));
        Assert.False(HasTests(typeof(NoTests)));
    }

    private static bool HasTests(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
            .Any(method => method.GetCustomAttributes<FactAttribute>(inherit: true).Any());

    // Read from the attribute data: xunit keeps a trait's name and value only as constructor arguments.
    private static List<string> TierValues(Type type) =>
        type.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(TraitAttribute)
                && a.ConstructorArguments is [{ Value: "Tier" }, _])
            .Select(a => (string)a.ConstructorArguments[1].Value!)
            .ToList();

    // Samples for the check itself.
    private sealed class Untagged;

    [Trait("Tier", "Slow")]
    private sealed class UnknownTier;

    [Trait("Tier", "Unit")]
    [Trait("Tier", "Api")]
    private sealed class TwoTiers;

    private sealed class NoTests
    {
        public void NotATest() { }
    }
}
