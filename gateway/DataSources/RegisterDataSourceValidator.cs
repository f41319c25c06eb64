using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.Http.Validation;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary>A checked registration: the source's name and definition.</summary>
public sealed record DataSourceRegistration(string Name, DataSourceDefinition Definition);

/// <summary><c>POST /api/datasources</c> (<see cref="DataRequestReader.ReadRegistration"/> holds the rules).</summary>
public sealed class RegisterDataSourceValidator(IOptions<DataSourceGatewayOptions> options) : IRequestValidator<RegisterDataSourceRequest, DataSourceRegistration>
{
    public ValueTask<RequestValidation<DataSourceRegistration>> ValidateAsync(RegisterDataSourceRequest request, HttpContext context)
    {
        var (name, definition, error) = DataRequestReader.ReadRegistration(request, options.Value.DefaultCacheTtl);
        return ValueTask.FromResult(error is null
            ? RequestValidation<DataSourceRegistration>.Valid(new DataSourceRegistration(name!, definition!))
            : error);
    }
}
