using System.Text.RegularExpressions;

namespace Mcp.Cluster.DataSources.Query;

/// <summary>
/// The answer column of an aggregate: its <c>as</c>, else <c>count</c> for a count of rows, else the function and the
/// field with dots as underscores (<c>avg_salary_range_max</c>). Governance reads the same names to tell an
/// <c>order_by</c> of an aggregate from one of a field.
/// </summary>
public static partial class AggregateNames
{
    public const int MaxLength = 64;

    public static string Of(DataAggregate aggregate) =>
        aggregate.As ?? (aggregate.Field is null ? FunctionName(aggregate.Function) : $"{FunctionName(aggregate.Function)}_{aggregate.Field.Replace('.', '_')}");

    public static string FunctionName(AggregateFunction function) => function.ToString().ToLowerInvariant();

    /// <summary>Letters, digits and '_', not starting with a digit, at most <see cref="MaxLength"/>: a name any client can use as a key.</summary>
    public static bool IsValid(string name) => name.Length <= MaxLength && Identifier().IsMatch(name);

    /// <summary>The output names of a query's aggregates (empty when it has none).</summary>
    public static IEnumerable<string> Of(DataQuery query) => (query.Aggregates ?? []).Select(Of);

    /// <summary>Whether the query's rows are groups: it has aggregates or group_by.</summary>
    public static bool IsAggregate(DataQuery query) => query.Aggregates is { Count: > 0 } || query.GroupBy is { Count: > 0 };

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}
