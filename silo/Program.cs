using Microsoft.Extensions.Hosting;
using Mcp.Cluster.Hosting;

// A standalone silo: the same grains and storage as the gateway's co-hosted silo, without HTTP.
// Cluster:Mode=Postgres for a real cluster: `dotnet run --project silo -- --instance 2` on a second port pair.
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddMcpSettings(args);
builder.UseOrleans(silo => silo.UseMcpCluster(builder.Configuration));

await builder.Build().RunAsync();
