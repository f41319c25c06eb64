namespace Mcp.Cluster.DataSources;

/// <summary>
/// What a sample of a table's rows shows beyond its declared schema: the members of its object fields (by path,
/// <c>location.state</c>) with the type their values had, and for text fields with few distinct values those values
/// (<c>status</c>: active, closed, filled). Questions are matched against it ("active", "Texas", "bedrooms"); it is
/// taken at discovery, and it is only ever shown to callers who may see every row and the unmasked field.
/// </summary>
/// <param name="SampledRows">How many rows the sample read (at most the profiler's sample size).</param>
[GenerateSerializer, Immutable, Alias("mcp.TableProfile")]
public sealed record TableProfile(
    [property: Id(0)] string Table,
    [property: Id(1)] int SampledRows,
    [property: Id(2)] IReadOnlyList<FieldProfile> Fields)
{
    public FieldProfile? Find(string field)
    {
        foreach (var profile in Fields)
        {
            if (string.Equals(profile.Field, field, StringComparison.Ordinal))
            {
                return profile;
            }
        }
        return null;
    }
}

/// <param name="Field">A column's name, or a member's path (<c>salary_range.max</c>).</param>
/// <param name="Type">The column's type; for a member, the type every sampled value had (text, integer, decimal, boolean, object, array; json when they differ).</param>
/// <param name="Values">The distinct values seen, when the field is text and they are few; otherwise null.</param>
[GenerateSerializer, Immutable, Alias("mcp.FieldProfile")]
public sealed record FieldProfile(
    [property: Id(0)] string Field,
    [property: Id(1)] DataType Type,
    [property: Id(2)] IReadOnlyList<string>? Values);
