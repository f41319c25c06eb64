"""Python client for the MCP Cluster gateway (standard library only).

Async: :class:`MCPClient`, :class:`DataSourceClient`; blocking twins: :class:`SyncMCPClient`,
:class:`SyncDataSourceClient`. Errors: :mod:`mcp_cluster.errors`.
"""

from ._version import __version__
from .client import MCPClient, SyncMCPClient
from .data import DataSourceClient, SyncDataSourceClient
from .errors import (
    AuthenticationError,
    ConflictError,
    ConnectionError,
    MCPError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceUnavailableError,
    TimeoutError,
    ValidationError,
)
from .result import Result

__all__ = [
    "__version__",
    "MCPClient",
    "SyncMCPClient",
    "DataSourceClient",
    "SyncDataSourceClient",
    "Result",
    "MCPError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ValidationError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
    "ServiceUnavailableError",
    "TimeoutError",
    "ConnectionError",
]
