using Microsoft.AspNetCore.OpenApi;

namespace Mcp.Cluster.Gateway.OpenApi;

/// <summary>The OpenAPI document at /openapi/v1.json, Swagger UI at /docs, ReDoc at /redoc and /favicon.ico, all served locally.</summary>
public static class DocsEndpoints
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string FaviconPath = "/favicon.ico";
    public const string ReDocBundlePath = "/redoc/redoc.standalone.js";

    /// <summary>A day, revalidated by entity tag afterwards: the files change only with the gateway's build.</summary>
    private const string CacheControl = "public, max-age=86400";

    public static IServiceCollection AddMcpDocs(this IServiceCollection services)
    {
        services.AddSingleton<DocsAssets>();
        return services.AddOpenApi(o => o.AddMcpDocument());
    }

    public static OpenApiOptions AddMcpDocument(this OpenApiOptions options)
    {
        options.AddApiKeySecurity();
        options.AddSchemaTransformer<RequestSchemaTransformer>();
        options.AddDocumentTransformer<RequestSchemaTransformer>();
        // Errors first: its 400 examples read the required fields; the layout then renames the model path parameter.
        options.AddDocumentTransformer<ErrorResponseTransformer>();
        options.AddDocumentTransformer<GuideLayoutTransformer>();
        return options;
    }

    public static WebApplication UseMcpDocs(this WebApplication app)
    {
        var assets = app.Services.GetRequiredService<DocsAssets>();
        // Before ReDoc's own middleware, which would otherwise serve the bundle that fetches its logo from the internet.
        app.Use(async (context, next) =>
        {
            var asset = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                ? context.Request.Path.Value switch
                {
                    FaviconPath => assets.Favicon,
                    ReDocBundlePath => assets.ReDocBundle,
                    _ => null,
                }
                : null;
            if (asset is null)
            {
                await next(context);
                return;
            }
            context.Response.Headers.CacheControl = CacheControl;
            await asset.ToResult(context).ExecuteAsync(context);
        });

        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "docs";
            ui.DocumentTitle = "MCP Cluster API";
            ui.SwaggerEndpoint(DocumentPath, "MCP Cluster API v1");
        });
        app.UseReDoc(redoc =>
        {
            redoc.RoutePrefix = "redoc";
            redoc.DocumentTitle = "MCP Cluster API";
            redoc.SpecUrl(DocumentPath);
            redoc.IndexStream = DocsAssets.ReDocIndex;
            // ReDoc 3 reports usage to Redocly unless told not to.
            redoc.ConfigObject.AdditionalItems["disableTelemetry"] = true;
        });
        return app;
    }
}
