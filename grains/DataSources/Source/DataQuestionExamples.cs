using System.Security.Cryptography;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// The questions admins teach a source: checked against the discovered schema by the connector's own compiler before
/// they are kept (an example that could not run would teach the translator a query that fails), bounded in number and
/// size. Owned by the source's grain and only touched on its scheduler; the list is replaced, never changed in place,
/// since a state write may be serializing the old one.
/// </summary>
public sealed class DataQuestionExamples(Func<DataSourceState> state, TimeProvider time)
{
    public const int MaxExamples = 200;
    public const int MaxQuestionLength = 1000;

    public (DataQuestionExample? Example, DataCommandResult? Problem) Add(string question, DataQuery query, string createdBy,
        DataConnector? connector, QueryLimits limits)
    {
        question = question.Trim();
        if (question.Length is 0 or > MaxQuestionLength)
        {
            return (null, DataCommandResult.Invalid($"Field 'question' must be 1 to {MaxQuestionLength} characters.", "question"));
        }
        var s = state();
        if (s.SchemaRefreshedAt is null || connector is null)
        {
            return (null, new DataCommandResult(DataCommandOutcome.Conflict, Detail: "The source's schema is not discovered yet; an example cannot be checked against it."));
        }
        var tables = s.Tables.Where(t => query.Table is not null && Governance.TableNames.IsNamed(t, query.Table)).ToArray();
        if (query.Table is null || tables.Length != 1)
        {
            return (null, DataCommandResult.Invalid(
                $"An example's query names its table: one of {string.Join(", ", s.Tables.Select(t => t.Name))}.", "query.table"));
        }
        var table = tables[0];
        query = query with { Table = table.Name };
        var (filters, added, periodProblem) = RelativePeriodFilters.Expand(query.Filters, table, time.GetUtcNow());
        if (periodProblem is not null)
        {
            return (null, DataCommandResult.Invalid(periodProblem.Detail, "query." + periodProblem.Field));
        }
        var (_, problem) = connector.Prepare(query with { Filters = filters }, table, limits.WithRowFilters(added));
        if (problem is not null)
        {
            return (null, DataCommandResult.Invalid(problem.Detail, "query." + problem.Field));
        }

        var examples = s.Examples.Where(e => !string.Equals(e.Question, question, StringComparison.OrdinalIgnoreCase)).ToList();
        if (examples.Count >= MaxExamples)
        {
            return (null, DataCommandResult.Invalid($"A source keeps at most {MaxExamples} examples; delete one first.", "question"));
        }
        var example = new DataQuestionExample("ex_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), question, query, createdBy, time.GetUtcNow());
        examples.Add(example);
        s.Examples = examples;
        return (example, null);
    }

    public bool Remove(string id)
    {
        var s = state();
        var kept = s.Examples.Where(e => e.Id != id).ToList();
        if (kept.Count == s.Examples.Count)
        {
            return false;
        }
        s.Examples = kept;
        return true;
    }
}
