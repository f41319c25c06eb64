"""Typed errors of the MCP Cluster client.

Every error the gateway answers is ``{"error": code, "detail": text, ...}`` with an HTTP status; the client raises the
class of that status carrying ``status``, ``error`` (the code), ``detail``, ``field`` (which input was wrong, when the
gateway says) and ``body`` (the whole decoded answer). Messages and reprs never contain the API key.
"""

from __future__ import annotations

import builtins
from typing import Any, Dict, Mapping, Optional, Type

__all__ = [
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
    "error_for_status",
]


class MCPError(Exception):
    """Base of every error the client raises for a gateway answer or a failed exchange."""

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        error: Optional[str] = None,
        detail: Optional[str] = None,
        field: Optional[str] = None,
        body: Any = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error = error
        self.detail = detail
        self.field = field
        self.body = body
        # Seconds the gateway asked to wait before trying again (Retry-After), when it said so.
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, error={self.error!r}, detail={self.detail!r}, field={self.field!r})"


class AuthenticationError(MCPError):
    """401: the key is missing, malformed, unknown, expired or revoked."""


class PermissionDeniedError(MCPError):
    """403: the key may not do this (permission, hidden field, masked field, raw SQL without a grant)."""


class NotFoundError(MCPError):
    """404: no such model, source or table (or one the key may not see)."""


class ValidationError(MCPError):
    """400 or 422: the input was refused; ``field`` names it when the gateway does (e.g. ``question_not_understood``)."""


class ConflictError(MCPError):
    """409: e.g. a model registered without a backend (``model_not_deployed``)."""


class RateLimitError(MCPError):
    """429: the key's rate limit or a quota is spent; ``retry_after`` seconds and ``reset_time`` say when it reopens."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        body = self.body if isinstance(self.body, dict) else {}
        self.reset_time = body.get("reset_time")
        self.quota = body.get("quota")


class ServerError(MCPError):
    """5xx answers without a more specific class (e.g. 502 ``model_error``)."""


class ServiceUnavailableError(ServerError):
    """503: a model or data source is unavailable, or the cluster did not answer in time (``retry_after`` when said)."""


class TimeoutError(MCPError, builtins.TimeoutError):  # noqa: A001 - the library's own, also a builtin TimeoutError
    """The gateway did not answer within the client's timeout (``status`` None), or answered 504 (the query or model
    timed out on its side). Also an instance of the builtin ``TimeoutError``."""


class ConnectionError(MCPError, builtins.ConnectionError):  # noqa: A001 - also a builtin ConnectionError
    """The gateway could not be reached (refused, reset, name not resolved). Also a builtin ``ConnectionError``."""


_BY_STATUS: Dict[int, Type[MCPError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
    503: ServiceUnavailableError,
    504: TimeoutError,
}


def error_for_status(
    status: int,
    body: Any,
    *,
    retry_after: Optional[float] = None,
    reason: str = "",
    redact: Optional[str] = None,
) -> MCPError:
    """The typed error for an HTTP error answer. ``redact`` (the key) is removed from any text that would show."""
    if redact and body is not None:
        body = _redacted(body, redact)
    fields: Mapping[str, Any] = body if isinstance(body, dict) else {}
    code = _text(fields.get("error"))
    detail = _text(fields.get("detail"))
    if detail is None and isinstance(body, str) and body.strip():
        detail = body.strip()[:500]
    field = _text(fields.get("field"))
    message = f"{status} {code or reason or 'error'}"
    if detail:
        message += f": {detail}"
    if field:
        message += f" (field: {field})"
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else MCPError
    return cls(message, status=status, error=code, detail=detail, field=field, body=body, retry_after=retry_after)


def _redacted(value: Any, secret: str) -> Any:
    """The value with every occurrence of the secret in its strings (keys included) replaced by ``***``."""
    if isinstance(value, str):
        return value.replace(secret, "***")
    if isinstance(value, dict):
        return {_redacted(k, secret): _redacted(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v, secret) for v in value]
    return value


def _text(value: Any) -> Optional[str]:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)
