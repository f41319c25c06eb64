using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Docs;

/// <summary>The gateway and browser the docs pages (Swagger UI, ReDoc) are walked with.</summary>
public sealed class DocsBrowserFixture() : BrowserGatewayFixture("docs-browser");
