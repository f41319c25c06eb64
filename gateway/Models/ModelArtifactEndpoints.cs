using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Models;
using Mcp.Cluster.Models.Hosted;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Models;

/// <summary>
/// <c>PUT /api/models/{model}/artifact</c>: the file a hosted model runs, as the request body (an <c>.onnx</c> file, or
/// a zip holding <c>model.onnx</c> and <c>vocab.txt</c>). The model grain says first whether the caller may give it
/// one, so a stranger's upload is refused before a byte is written; the body is then streamed to the artifact
/// directory (hashed, size-limited) and the grain reads the file before it accepts it.
/// </summary>
public static class ModelArtifactEndpoints
{
    public static IEndpointRouteBuilder MapModelArtifactEndpoints(this IEndpointRouteBuilder routes)
    {
        var max = routes.ServiceProvider.GetRequiredService<IOptions<HostedModelOptions>>().Value.MaxArtifactBytes;
        routes.MapGroup("/api/models").WithTags("Models")
            .MapPut("/{model}/artifact", UploadAsync)
            .RequireApiKey(Permissions.Write)
            .WithMetadata(new RawRequestBody(max))
            .Accepts<Stream>("application/octet-stream", "application/zip")
            .WithName("UploadModelArtifact")
            .WithSummary("Upload the ONNX file a hosted model runs (or a zip of model.onnx and vocab.txt); owner or admin")
            .WithDescription("A model registered without a provider (the user guide's internal-classifier) becomes an onnx model. " +
                "The file is checked before it is accepted: one that does not load, or does not suit the model's task, is a 400.");
        return routes;
    }

    private static async Task<Results<Ok<ArtifactResponse>, JsonHttpResult<ApiError>>> UploadAsync(
        string model, HttpContext context, IGrainFactory grains, ModelResolver models, ModelArtifactStore store)
    {
        var modelId = await models.ResolveAsync(model);
        if (modelId is null)
        {
            return ModelEndpoints.ModelNotFound(model);
        }
        var grain = grains.GetGrain<IModelGrain>(modelId);
        var caller = ModelEndpoints.Caller(context);
        var may = await grain.MayAttachArtifactAsync(caller);
        if (may.Outcome != ModelCommandOutcome.Ok)
        {
            return ModelEndpoints.CommandError(may, model);
        }
        ModelArtifactStore.Stored stored;
        try
        {
            stored = await store.StoreAsync(modelId, context.Request.Body, context.RequestAborted);
        }
        catch (ArtifactUploadException e)
        {
            return e.Status switch
            {
                StatusCodes.Status413PayloadTooLarge => ApiErrors.Result(e.Status, ErrorCodes.PayloadTooLarge, e.Message),
                StatusCodes.Status429TooManyRequests => Busy(context, e.Message),
                _ => ApiErrors.Validation(e.Message, "artifact"),
            };
        }
        var result = await grain.AttachArtifactAsync(stored.Location, stored.Sha256, caller);
        if (result.Outcome != ModelCommandOutcome.Ok)
        {
            return ModelEndpoints.CommandError(result, model);
        }
        // This silo's executor follows the new file from its next call; others within their plan lease.
        await grains.GetGrain<IModelExecutorGrain>(modelId).ForgetPlanAsync();
        var status = await grain.GetStatusAsync();
        return status?.Hosting?.Artifact is { } artifact
            ? TypedResults.Ok(ArtifactResponse.From(modelId, result.Model!, artifact, status))
            : ModelEndpoints.ModelNotFound(model);
    }

    private static JsonHttpResult<ApiError> Busy(HttpContext context, string detail)
    {
        context.Response.Headers.RetryAfter = "5";
        return ApiErrors.Result(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimitExceeded, detail);
    }
}
