using Mcp.Cluster.Gateway.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMcpGateway(args);

var app = builder.Build();
app.UseMcpGateway();
app.Run();

/// <summary>Entry point; public so tests can host the real pipeline.</summary>
public partial class Program;
