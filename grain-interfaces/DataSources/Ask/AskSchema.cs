namespace Mcp.Cluster.DataSources;

/// <summary>
/// A source as one caller may ask about it: only the tables and fields the caller may read; members of object fields
/// and few-valued text from the profile, values only where the caller sees every row of the table (no row filter) and
/// the field unmasked; masked fields are listed (they can be shown) but never filtered, grouped or ordered on. With the
/// taught examples that fit within it, it is everything a translator (built-in or a chat model) is shown.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.AskSchema")]
public sealed record AskSchema(
    [property: Id(0)] string Source,
    [property: Id(1)] IReadOnlyList<AskTable> Tables,
    [property: Id(2)] IReadOnlyList<DataQuestionExample> Examples);

/// <param name="FullySampled">The profile's sample held every row, so its values are all the values there are.</param>
[GenerateSerializer, Immutable, Alias("mcp.AskTable")]
public sealed record AskTable(
    [property: Id(0)] string Name,
    [property: Id(1)] IReadOnlyList<AskField> Fields,
    [property: Id(2)] bool FullySampled)
{
    public IReadOnlyList<string> NameParts => FieldNameParts.Of(Name);

    public AskField? Find(string path) => Fields.FirstOrDefault(f => string.Equals(f.Path, path, StringComparison.Ordinal));
}

/// <param name="Path">A column's name, or <c>column.member</c>.</param>
/// <param name="Root">The column a member belongs to (the field itself for a column).</param>
[GenerateSerializer, Immutable, Alias("mcp.AskField")]
public sealed record AskField(
    [property: Id(0)] string Path,
    [property: Id(1)] string Root,
    [property: Id(2)] DataType Type,
    [property: Id(3)] IReadOnlyList<string>? Values,
    [property: Id(4)] bool Masked)
{
    public IReadOnlyList<string> NameParts => FieldNameParts.Of(Path);

    public bool IsMember => !string.Equals(Path, Root, StringComparison.Ordinal);

    public bool IsNumeric => Type is DataType.Integer or DataType.Decimal;

    public bool IsDate => Type is DataType.Date or DataType.Datetime;

    public bool IsText => Type == DataType.Text;

    /// <summary>Whether it can be compared, grouped or ordered on at all.</summary>
    public bool Comparable => !Masked && Type is not (DataType.Object or DataType.Array or DataType.Json or DataType.Binary);
}
