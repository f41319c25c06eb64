using System.Text.Json;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.Http.Validation;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary><c>PATCH /api/datasources/{name}</c>: read as an object so a field's presence counts (<see cref="DataRequestReader.ReadPatch"/>).</summary>
public sealed class DataSourcePatchValidator : IRequestValidator<JsonElement, DataSourcePatch>
{
    public ValueTask<RequestValidation<DataSourcePatch>> ValidateAsync(JsonElement request, HttpContext context)
    {
        var (patch, error) = DataRequestReader.ReadPatch(request);
        return ValueTask.FromResult(new RequestValidation<DataSourcePatch>(patch, error));
    }
}
