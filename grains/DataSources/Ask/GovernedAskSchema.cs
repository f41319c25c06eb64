using Mcp.Cluster.DataSources.Governance;

namespace Mcp.Cluster.DataSources.Ask;

/// <summary>
/// Builds what a caller may ask about from the source's policy and the caller's access (the one governance code,
/// <see cref="SourceAccess"/>): translators only ever see this, so a question can neither name nor reveal a table,
/// field or value the caller could not read.
/// </summary>
public static class GovernedAskSchema
{
    public static AskSchema Build(DataSourcePolicy policy, SourceAccess access)
    {
        var tables = new List<AskTable>();
        foreach (var table in policy.Tables)
        {
            if (access.ForTable(table) is not { } plan)
            {
                continue;
            }
            var profile = policy.Profiles?.FirstOrDefault(p => string.Equals(p.Table, table.Name, StringComparison.Ordinal));
            // Values of a table read under row filters would show rows the caller cannot read.
            var valuesAllowed = plan.RowFilters.Count == 0;
            var fields = new List<AskField>();
            foreach (var column in plan.VisibleColumns)
            {
                if (column.Type == DataType.Binary)
                {
                    continue;
                }
                var masked = plan.IsMasked(column.Name);
                var values = valuesAllowed && !masked ? profile?.Find(column.Name)?.Values : null;
                fields.Add(new AskField(column.Name, column.Name, column.Type, values, masked));
                if (masked || profile is null || column.Type is not (DataType.Object or DataType.Json))
                {
                    continue;
                }
                var prefix = column.Name + ".";
                foreach (var member in profile.Fields.Where(f => f.Field.StartsWith(prefix, StringComparison.Ordinal)))
                {
                    fields.Add(new AskField(member.Field, column.Name, member.Type, valuesAllowed ? member.Values : null, false));
                }
            }
            tables.Add(new AskTable(table.Name, fields, profile is not null && profile.SampledRows < TableProfiler.SampleRows));
        }
        var schema = new AskSchema(policy.Name, tables, []);
        return schema with { Examples = UsableExamples(policy, schema) };
    }

    /// <summary>The taught examples whose query this caller could run as it is: its table readable, every field it names visible, none it compares masked.</summary>
    private static IReadOnlyList<DataQuestionExample> UsableExamples(DataSourcePolicy policy, AskSchema schema)
    {
        var usable = new List<DataQuestionExample>();
        foreach (var example in policy.Examples ?? [])
        {
            if (example.Query.Table is not { } name || schema.Tables.FirstOrDefault(t => t.Name == name) is not { } table)
            {
                continue;
            }
            // The one list of what a query names; every use but showing a field compares, groups or orders on it.
            if (QueryTableChoice.Named(example.Query).All(n => Visible(table, n.Field, compared: n.Where != "fields")))
            {
                usable.Add(example);
            }
        }
        return usable;
    }

    private static bool Visible(AskTable table, string field, bool compared)
    {
        if (table.Find(field) is { } known)
        {
            return !compared || !known.Masked;
        }
        // A member path the profile did not see: its column decides.
        var dot = field.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && table.Find(field[..dot]) is { Masked: false, Type: DataType.Object or DataType.Json };
    }
}
