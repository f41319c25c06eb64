"""One HTTP exchange with the gateway (urllib, blocking) and the retry rule shared by the sync and async clients."""

from __future__ import annotations

import builtins
import email.utils
import http.client
import json
import logging
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from typing import Any, Dict, Mapping, Optional, Tuple

from . import errors
from ._version import __version__
from .result import wrap

DEFAULT_BASE_URL = "http://localhost:8000"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2
# A Retry-After longer than this is not waited for: the error is raised at once with retry_after set, so a caller is
# never parked for minutes (a spent daily quota says "come back tomorrow").
DEFAULT_MAX_RETRY_WAIT = 30.0
RETRIED_STATUSES = (429, 503)
# socket.timeout is TimeoutError from Python 3.10 on, a subclass of OSError before.
_TIMEOUTS = (socket.timeout, builtins.TimeoutError)
_log = logging.getLogger("mcp_cluster")


def parse_retry_after(value: Optional[str], now: Optional[datetime] = None) -> Optional[float]:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = None
    if seconds is not None:
        # nan and inf parse as floats but say nothing usable.
        if seconds != seconds or seconds in (float("inf"), float("-inf")) or seconds < 0:
            return None
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now or datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


class Response:
    """What one exchange brought back: the status, headers and the decoded body."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: Mapping[str, str], body: Any) -> None:
        self.status = status
        self.headers = headers
        self.body = body


class Transport:
    """Holds the gateway address, key and retry settings; sends one request at a time with urllib (blocking)."""

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("MCP_API_KEY")
        self._api_key = key or None
        url = (base_url or os.environ.get("MCP_BASE_URL") or DEFAULT_BASE_URL).strip().rstrip("/")
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"base_url must be an http:// or https:// address, got {url!r}")
        self.base_url = url
        if timeout is not None and timeout <= 0:
            raise ValueError("timeout must be positive seconds (or None to wait indefinitely)")
        self.timeout = timeout
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self.max_retries = int(max_retries)
        self.max_retry_wait = float(max_retry_wait)
        self._opener = urllib.request.build_opener(_NoRedirect())

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r}, timeout={self.timeout!r}, max_retries={self.max_retries!r})"

    def url(self, path: str, params: Optional[Mapping[str, Any]] = None) -> str:
        url = self.base_url + path
        if params:
            present = {k: v for k, v in params.items() if v is not None}
            if present:
                url += "?" + urllib.parse.urlencode(present)
        return url

    def send_once(self, method: str, path: str, body: Any = None, params: Optional[Mapping[str, Any]] = None) -> Response:
        """One exchange. Returns the response for any HTTP status; raises TimeoutError or ConnectionError."""
        headers = {"Accept": "application/json", "User-Agent": f"mcp-cluster-python/{__version__}"}
        if self._api_key is not None:
            headers["X-API-Key"] = self._api_key
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url(path, params), data=data, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                return Response(answer.status, _headers(answer.headers), _decode(answer.read(), answer.headers))
        except urllib.error.HTTPError as failed:
            try:
                raw = failed.read()
            except (OSError, http.client.HTTPException):
                raw = b""
            finally:
                failed.close()
            return Response(failed.code, _headers(failed.headers), _decode(raw, failed.headers))
        except urllib.error.URLError as failed:
            reason = failed.reason
            if isinstance(reason, _TIMEOUTS):
                raise self._timed_out() from None
            raise errors.ConnectionError(f"cannot reach the gateway at {self.base_url}: {_describe(reason)}") from None
        except _TIMEOUTS:
            raise self._timed_out() from None
        except (http.client.HTTPException, OSError) as failed:
            raise errors.ConnectionError(f"the exchange with the gateway at {self.base_url} failed: {_describe(failed)}") from None

    def _timed_out(self) -> errors.TimeoutError:
        return errors.TimeoutError(f"the gateway at {self.base_url} did not answer within {self.timeout} s")

    def outcome(self, response: Response, attempt: int, method: str = "", path: str = "") -> Tuple[Any, Optional[float], Optional[errors.MCPError]]:
        """(result, None, None) for a success; (None, wait, error) when the caller should wait and retry; else
        (None, None, error) to raise."""
        if 200 <= response.status < 300:
            return wrap(response.body), None, None
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is None and isinstance(response.body, dict) and response.status in RETRIED_STATUSES:
            # Some answers (a model's 503) also say it in the body; the header counts, the body is the fallback.
            retry_after = _number(response.body.get("retry_after"))
        error = errors.error_for_status(response.status, response.body, retry_after=retry_after, redact=self._api_key)
        if (
            response.status in RETRIED_STATUSES
            and retry_after is not None
            and retry_after <= self.max_retry_wait
            and attempt < self.max_retries
        ):
            # Logged without the key or the body, only what was refused and how long we wait.
            _log.info("%s %s answered %s %s; retrying in %.3g s (retry %d of %d)", method, path, response.status,
                      error.error or "", retry_after, attempt + 1, self.max_retries)
            return None, retry_after, error
        return None, None, error

    def request(self, method: str, path: str, body: Any = None, params: Optional[Mapping[str, Any]] = None) -> Any:
        """Blocking request with the retry rule (used by the sync clients)."""
        attempt = 0
        while True:
            response = self.send_once(method, path, body, params)
            result, wait, error = self.outcome(response, attempt, method, path)
            if error is None:
                return result
            if wait is None:
                raise error
            time.sleep(wait)
            attempt += 1


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The gateway does not redirect API calls; following one would resend the key to wherever it points."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


def _headers(message: Any) -> Dict[str, str]:
    if message is None:
        return {}
    return {k.lower(): v for k, v in message.items()}


def _decode(raw: bytes, headers: Any) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    content_type = (headers.get("Content-Type") if headers is not None else None) or ""
    if "json" in content_type or text[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value >= 0 else None


def _describe(reason: Any) -> str:
    if isinstance(reason, BaseException):
        return type(reason).__name__ + (f" ({reason})" if str(reason) else "")
    return str(reason)
