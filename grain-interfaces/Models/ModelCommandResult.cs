namespace Mcp.Cluster.Models;

[GenerateSerializer, Immutable, Alias("mcp.ModelCommandResult")]
public sealed record ModelCommandResult(
    [property: Id(0)] ModelCommandOutcome Outcome,
    [property: Id(1)] ModelInfo? Model = null,
    [property: Id(2)] string? Detail = null,
    [property: Id(3)] string? Field = null)
{
    public static ModelCommandResult Ok(ModelInfo model) => new(ModelCommandOutcome.Ok, model);

    public static ModelCommandResult Invalid(string detail, string? field = null) => new(ModelCommandOutcome.Invalid, null, detail, field);

    public static readonly ModelCommandResult NotFound = new(ModelCommandOutcome.NotFound, Detail: "Model not found.");
}
