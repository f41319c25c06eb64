using Mcp.Cluster.Gateway.Hosting;
using Mcp.Cluster.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMcpGateway(args);

var app = builder.Build();
app.UseMcpGateway();
// A start that fails (cluster mode: no schema in the database) is logged and exits 1 instead of aborting.
return await McpHostRunner.RunAsync(app, "gateway");

/// <summary>Entry point; public so tests can host the real pipeline.</summary>
public partial class Program;
