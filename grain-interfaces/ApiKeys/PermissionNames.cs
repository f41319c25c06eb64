namespace Mcp.Cluster.ApiKeys;

/// <summary>Conversions between <see cref="Permissions"/> and the lower-case names used on the wire.</summary>
public static class PermissionNames
{
    public static readonly IReadOnlyList<string> All = ["read", "write", "execute", "admin"];

    public static bool TryParse(IEnumerable<string> names, out Permissions permissions, out string? unknown)
    {
        permissions = Permissions.None;
        unknown = null;
        foreach (var name in names)
        {
            var flag = name?.Trim().ToLowerInvariant() switch
            {
                "read" => Permissions.Read,
                "write" => Permissions.Write,
                "execute" => Permissions.Execute,
                "admin" => Permissions.Admin,
                _ => Permissions.None,
            };
            if (flag == Permissions.None)
            {
                unknown = name ?? "null";
                return false;
            }
            permissions |= flag;
        }
        return true;
    }

    public static string[] ToNames(Permissions permissions)
    {
        var names = new List<string>(4);
        if (permissions.HasFlag(Permissions.Read)) names.Add("read");
        if (permissions.HasFlag(Permissions.Write)) names.Add("write");
        if (permissions.HasFlag(Permissions.Execute)) names.Add("execute");
        if (permissions.HasFlag(Permissions.Admin)) names.Add("admin");
        return [.. names];
    }

    /// <summary>True when a key holding <paramref name="held"/> satisfies <paramref name="required"/>.</summary>
    public static bool Satisfies(this Permissions held, Permissions required) =>
        held.HasFlag(Permissions.Admin) || (held & required) == required;
}
