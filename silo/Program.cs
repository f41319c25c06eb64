using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Mcp.Cluster.Hosting;

// A standalone silo: the same grains and storage as the gateway's co-hosted silo, without HTTP.
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddEnvironmentVariables("MCP_");
builder.UseOrleans(silo => silo.UseMcpCluster(builder.Configuration));

await builder.Build().RunAsync();
