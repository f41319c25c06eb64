"""``from mcp.errors import RateLimitError``: see :mod:`mcp_cluster.errors`."""

from mcp_cluster.errors import *  # noqa: F401,F403
from mcp_cluster.errors import __all__  # noqa: F401
