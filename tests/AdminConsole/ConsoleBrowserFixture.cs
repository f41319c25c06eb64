using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.AdminConsole;

/// <summary>The gateway (started with no settings, as the README's run command does) and browser the console is walked with.</summary>
public sealed class ConsoleBrowserFixture() : BrowserGatewayFixture("console-browser");
