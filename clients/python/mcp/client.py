"""``from mcp.client import MCPClient``: see :mod:`mcp_cluster.client`."""

from mcp_cluster.client import MCPClient, SyncMCPClient  # noqa: F401

__all__ = ["MCPClient", "SyncMCPClient"]
