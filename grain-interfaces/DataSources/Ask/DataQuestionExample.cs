namespace Mcp.Cluster.DataSources;

/// <summary>
/// A question an admin taught a source, with the structured query that answers it. The built-in translator adapts
/// the closest example to a new question (its values replaced by the ones the new question names), and a chat model
/// is shown the examples as worked answers. Only examples whose query the caller could run are ever used for them.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataQuestionExample")]
public sealed record DataQuestionExample(
    [property: Id(0)] string Id,
    [property: Id(1)] string Question,
    [property: Id(2)] DataQuery Query,
    [property: Id(3)] string CreatedBy,
    [property: Id(4)] DateTimeOffset CreatedAt);
