namespace Mcp.Cluster.DataSources;

[GenerateSerializer, Immutable, Alias("mcp.DataCommandResult")]
public sealed record DataCommandResult(
    [property: Id(0)] DataCommandOutcome Outcome,
    [property: Id(1)] DataSourceInfo? Source = null,
    [property: Id(2)] string? Detail = null,
    [property: Id(3)] string? Field = null)
{
    public static DataCommandResult Ok(DataSourceInfo source) => new(DataCommandOutcome.Ok, source);

    public static DataCommandResult Invalid(string detail, string? field = null) => new(DataCommandOutcome.Invalid, null, detail, field);

    public static readonly DataCommandResult NotFound = new(DataCommandOutcome.NotFound, Detail: "Data source not found.");
}
