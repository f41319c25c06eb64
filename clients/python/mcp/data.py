"""``from mcp.data import DataSourceClient``: see :mod:`mcp_cluster.data`."""

from mcp_cluster.data import DataSourceClient, SyncDataSourceClient  # noqa: F401

__all__ = ["DataSourceClient", "SyncDataSourceClient"]
