using System.Text;

namespace Mcp.Cluster.DataSources.Governance;

/// <summary>
/// A caller's resolved access to one source: on what basis (admin, a key grant, an owner grant, the source default),
/// which tables, the quotas that apply and whether raw SQL is allowed. Built by <see cref="DataAccessPolicy"/>.
/// </summary>
public sealed class SourceAccess(
    string basis,
    IReadOnlyDictionary<string, TableGrant>? tables,
    IReadOnlyDictionary<string, MaskKind> sourceMasks,
    bool bypassMasks,
    bool allowSql,
    DataQuotas quotas,
    IReadOnlyList<string>? modelFields,
    string? modelTable)
{
    /// <summary><c>admin</c>, <c>key</c>, <c>owner</c> or <c>default</c>.</summary>
    public string Basis { get; } = basis;

    public DataQuotas Quotas { get; } = quotas;

    public bool AllowSql { get; } = allowSql;

    /// <summary>The policy for a table, or null when the caller may not read it.</summary>
    public TablePolicy? ForTable(TableSchema table)
    {
        var grant = TableGrant.Everything;
        if (tables is not null && !tables.TryGetValue(table.Name, out grant!))
        {
            return null;
        }
        if (modelTable is not null && !TableNames.IsNamed(table, modelTable))
        {
            return null;
        }

        var visible = table.Columns
            .Where(c => grant.Fields is null || grant.Fields.Contains(c.Name, StringComparer.Ordinal))
            .Where(c => modelFields is null || modelFields.Contains(c.Name, StringComparer.Ordinal))
            .ToArray();

        var masks = new SortedDictionary<string, MaskKind>(StringComparer.Ordinal);
        if (!bypassMasks)
        {
            var prefix = table.Name + ".";
            foreach (var (key, kind) in sourceMasks)
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal) && kind != MaskKind.None)
                {
                    masks[key[prefix.Length..]] = kind;
                }
            }
            foreach (var (field, kind) in grant.Masks)
            {
                if (kind == MaskKind.None)
                {
                    masks.Remove(field);
                }
                else
                {
                    masks[field] = kind;
                }
            }
        }
        foreach (var field in masks.Keys.Where(f => !visible.Any(c => c.Name == f)).ToArray())
        {
            masks.Remove(field);
        }

        var fingerprint = new StringBuilder(Basis).Append("|fields:");
        foreach (var column in visible)
        {
            fingerprint.Append(column.Name).Append(',');
        }
        fingerprint.Append("|rows:");
        foreach (var filter in grant.RowFilters)
        {
            fingerprint.Append(filter.Field).Append(' ').Append(filter.Operator).Append(' ').Append(filter.ValueJson).Append(';');
        }
        fingerprint.Append("|masks:");
        foreach (var (field, kind) in masks)
        {
            fingerprint.Append(field).Append('=').Append(kind).Append(',');
        }
        return new TablePolicy(table, visible, grant.RowFilters, masks, fingerprint.ToString());
    }

    /// <summary>
    /// Raw SQL is only for callers nothing is hidden from: it could read around any table or field rule, row filter or
    /// mask. Decided from the policy alone, not from the discovered tables, so it holds before discovery too.
    /// </summary>
    public bool IsUnrestricted =>
        modelFields is null && modelTable is null && tables is null
        && (bypassMasks || sourceMasks.Values.All(kind => kind == MaskKind.None));
}
