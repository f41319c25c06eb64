namespace Mcp.Cluster.DataSources.Governance;

/// <summary>
/// Decides a caller's access to a source. Admin keys read everything unmasked; other keys use their own grant, else
/// their owner's grant (<c>owner:NAME</c>), else the source's default access. A read on a model's behalf is further
/// limited to what the model declared for the source: no declaration, no access; declared fields and table narrow it.
/// </summary>
public static class DataAccessPolicy
{
    public const string OwnerPrefix = "owner:";

    public static (SourceAccess? Access, string? Denial) Resolve(
        string source,
        DataAccessDefault defaultAccess,
        IReadOnlyDictionary<string, MaskKind> sourceMasks,
        DataQuotas defaultQuotas,
        IReadOnlyDictionary<string, DataGrantEntry> grants,
        DataCaller caller)
    {
        IReadOnlyList<string>? modelFields = null;
        string? modelTable = null;
        if (caller.ModelId is { } modelId)
        {
            if (caller.ModelDeclaration is not { } declared)
            {
                return (null, $"Model {modelId} did not declare data source '{source}' at registration.");
            }
            if (declared.RequiredFields is { Count: > 0 } fields)
            {
                modelFields = fields;
            }
            modelTable = declared.SnowflakeTable;
        }

        if (caller.IsAdmin)
        {
            return (new SourceAccess("admin", null, sourceMasks, bypassMasks: true, allowSql: true, DataQuotas.Unlimited, modelFields, modelTable), null);
        }
        if (grants.TryGetValue(caller.KeyId, out var keyGrant))
        {
            return (FromGrant("key", keyGrant.Grant), null);
        }
        if (grants.TryGetValue(OwnerPrefix + caller.Owner, out var ownerGrant))
        {
            return (FromGrant("owner", ownerGrant.Grant), null);
        }
        if (defaultAccess == DataAccessDefault.Read)
        {
            return (new SourceAccess("default", null, sourceMasks, bypassMasks: false, allowSql: false, defaultQuotas, modelFields, modelTable), null);
        }
        return (null, $"Key {caller.KeyId} has no grant on data source '{source}'.");

        SourceAccess FromGrant(string basis, DataGrant grant) =>
            new(basis, grant.Tables, sourceMasks, bypassMasks: false, grant.AllowSql, grant.Quotas ?? defaultQuotas, modelFields, modelTable);
    }

    /// <summary>Checks a subject name: a key id or <c>owner:NAME</c>.</summary>
    public static bool IsValidSubject(string subject) =>
        subject.Length is > 0 and <= 200
        && (subject.StartsWith(OwnerPrefix, StringComparison.Ordinal) ? subject.Length > OwnerPrefix.Length : subject.StartsWith("key_", StringComparison.Ordinal))
        && !subject.Any(char.IsControl);
}
