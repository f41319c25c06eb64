using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Connectors;

namespace Mcp.Cluster.Tests.Unit.Ask;

/// <summary>What a sample of rows tells the translators: members of object fields with their types, and few-valued text.</summary>
[Trait("Tier", "Unit")]
public sealed class TableProfilerTests
{
    private static readonly ColumnSchema[] Columns =
    [
        new("status", DataType.Text, false, "TEXT"), new("note", DataType.Text, true, "TEXT"), new("salary_range", DataType.Object, true, "OBJECT"),
    ];

    private static TableProfile Profile(IEnumerable<object?[]> rows) =>
        TableProfiler.Profile(new TableSchema("jobs", Columns, ["jobs"]), new RowSet(Columns, rows.ToArray()));

    [Fact]
    public void Members_get_their_types_and_text_with_few_values_lists_them()
    {
        var profile = Profile(Enumerable.Range(0, 120).Select(i => new object?[]
        {
            i % 3 == 0 ? "active" : "closed",
            $"free text number {i}",
            new RawJson(i % 10 == 0 ? """{"min": 1.5, "max": 2, "currency": "USD", "band": {"level": "L3"}, "bad key": 1}""" : """{"min": 1, "max": 2, "currency": "USD"}"""),
        }));
        Assert.Equal(["active", "closed"], profile.Find("status")!.Values);
        // More than 50 distinct values: not a category, no values kept.
        Assert.Null(profile.Find("note")!.Values);
        Assert.Equal(DataType.Decimal, profile.Find("salary_range.min")!.Type);
        Assert.Equal(DataType.Integer, profile.Find("salary_range.max")!.Type);
        Assert.Equal(["USD"], profile.Find("salary_range.currency")!.Values);
        Assert.Equal(["L3"], profile.Find("salary_range.band.level")!.Values);
        // A member no query could name by path is left out.
        Assert.Null(profile.Find("salary_range.bad key"));
        Assert.Equal(120, profile.SampledRows);
    }

    [Fact]
    public void Hostile_values_are_bounded_and_never_fail_the_profile()
    {
        var wide = string.Concat(Enumerable.Range(0, 100).Select(i => $"\"m{i}\": {i},"));
        var profile = Profile(
        [
            ["x", new string('a', 5000), new RawJson("{" + wide + "\"end\": 1}")],
            ["y", null, new RawJson("not json")],
            [null, "z", "[1, 2, 3]"],
            ["x", "z", new RawJson("""{"deep": {"deeper": {"deepest": {"d": 1}}}}""")],
        ]);
        Assert.Equal(["x", "y"], profile.Find("status")!.Values);
        // A value too long to be a category stops the field being one.
        Assert.Null(profile.Find("note")!.Values);
        Assert.True(profile.Fields.Count(f => f.Field.StartsWith("salary_range.", StringComparison.Ordinal)) <= 64);
        // Two levels of members at most.
        Assert.DoesNotContain(profile.Fields, f => f.Field.Count(c => c == '.') > 2);
    }
}
