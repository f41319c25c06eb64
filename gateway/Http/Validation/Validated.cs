namespace Mcp.Cluster.Gateway.Http.Validation;

/// <summary>Request feature: the value <see cref="RequestValidationFilter{TRequest, TValid, TValidator}"/> checked for the handler.</summary>
public sealed record Validated<TValid>(TValid Value) where TValid : class;
