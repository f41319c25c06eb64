using Mcp.Cluster.DataSources.Governance;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// Who may read one source and what they see: the source's masks, its grants (set, removed, listed and checked against
/// the schema) and a caller's access resolved from them by the one governance code (<see cref="DataAccessPolicy"/>, the
/// same the executors run on the policy snapshot). Owned by the source's grain and only touched on its scheduler; it
/// reads and changes the grain's current state, which the grain persists.
/// </summary>
public sealed class DataSourceGrants(string source, Func<DataSourceState> state, DataSourceGrainOptions options, QueryLimits limits, TimeProvider time)
{
    /// <summary>Why a set of source-wide masks is not valid (each must name table.field and hide something), or null.</summary>
    public static string? ValidateMasks(IReadOnlyDictionary<string, MaskKind> masks)
    {
        foreach (var (key, kind) in masks)
        {
            var dot = key.IndexOf('.');
            if (dot <= 0 || dot == key.Length - 1)
            {
                return $"Mask '{key}' must name table.field.";
            }
            if (kind == MaskKind.None)
            {
                return $"Mask '{key}' must be hash, partial or redact.";
            }
        }
        return null;
    }

    /// <summary>The caller's access, or why there is none.</summary>
    public (SourceAccess? Access, string? Denial) Resolve(DataCaller caller)
    {
        var s = state();
        return DataAccessPolicy.Resolve(source, s.DefaultAccess, s.Masks, s.DefaultQuotas, s.Grants, caller);
    }

    /// <summary>Whether the caller may read anything here: some table, or the source before its tables are known.</summary>
    public bool CanRead(DataCaller caller)
    {
        var (access, _) = Resolve(caller);
        var tables = state().Tables;
        return access is not null && (tables.Count == 0 || tables.Any(t => access.ForTable(t) is not null));
    }

    /// <summary>The tables, fields and masks a caller with <paramref name="access"/> may see.</summary>
    public DataSourceSchema VisibleSchema(SourceAccess access, IReadOnlyList<TableSchema> tables)
    {
        var visible = new List<TableSchema>();
        var masks = new SortedDictionary<string, MaskKind>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            if (access.ForTable(table) is not { } policy)
            {
                continue;
            }
            visible.Add(table with { Columns = policy.VisibleColumns });
            foreach (var (field, kind) in policy.Masks)
            {
                masks[$"{table.Name}.{field}"] = kind;
            }
        }
        var s = state();
        return new DataSourceSchema(source, s.SchemaRefreshedAt, s.Generation, visible, masks);
    }

    /// <summary>Why no grant may be added for <paramref name="subject"/> (the source holds as many as it may), or null.</summary>
    public string? LimitProblem(string subject)
    {
        var grants = state().Grants;
        return !grants.ContainsKey(subject) && grants.Count >= options.MaxGrants ? $"A source holds at most {options.MaxGrants} grants." : null;
    }

    /// <summary>Why <paramref name="grant"/> does not fit the schema (<paramref name="tables"/>: null when not known yet), or null.</summary>
    public QueryProblem? Validate(DataGrant grant, IReadOnlyList<TableSchema>? tables) => GrantValidator.Validate(grant, tables, limits);

    public void Set(string subject, DataGrant grant, string updatedBy) =>
        state().Grants[subject] = new DataGrantEntry(subject, grant, time.GetUtcNow(), updatedBy);

    public bool Remove(string subject) => state().Grants.Remove(subject);

    public IReadOnlyList<DataGrantEntry> List() => state().Grants.Values.OrderBy(g => g.Subject, StringComparer.Ordinal).ToArray();
}
