"""Alias of :mod:`mcp_cluster` under the name the user guide imports (``from mcp.client import MCPClient``,
``from mcp.data import DataSourceClient``).

This package shadows the official ``mcp`` package (the Model Context Protocol SDK) when both are installed; if you
use that SDK too, import ``mcp_cluster`` instead, which is the same library.
"""

from mcp_cluster import *  # noqa: F401,F403
from mcp_cluster import __all__, __version__  # noqa: F401
