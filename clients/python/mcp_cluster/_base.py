"""The two ways a client method sends its request: awaited off the event loop (async clients) or blocking (sync twins).

Each public method is written once (in client.py / data.py) as "build the request, ``return self._call(...)``"; the
async classes' ``_call`` is a coroutine, so ``await client.query(...)`` works, the sync classes' returns the answer.
"""

from __future__ import annotations

import asyncio
import functools
import urllib.parse
from typing import Any, Mapping, Optional

from ._http import DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_WAIT, DEFAULT_TIMEOUT, Transport


class _Client:
    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Optional[float] = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        *,
        _transport: Optional[Transport] = None,
    ) -> None:
        self._transport = _transport or Transport(api_key, base_url, timeout, max_retries, max_retry_wait)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def __repr__(self) -> str:
        # Never the key.
        return f"{type(self).__name__}(base_url={self._transport.base_url!r})"

    def close(self) -> None:
        """Nothing is pooled (urllib opens a connection per request); here for symmetry with other clients."""


class _AsyncClient(_Client):
    async def _call(self, method: str, path: str, body: Any = None, params: Optional[Mapping[str, Any]] = None) -> Any:
        # urllib blocks, so every exchange runs on the loop's default executor; waits between retries are
        # asyncio.sleep, so cancelling the awaiting task stops at once (an exchange already sent finishes in its thread
        # within the timeout and its answer is dropped).
        loop = asyncio.get_running_loop()
        transport = self._transport
        attempt = 0
        while True:
            response = await loop.run_in_executor(None, functools.partial(transport.send_once, method, path, body, params))
            result, wait, error = transport.outcome(response, attempt, method, path)
            if error is None:
                return result
            if wait is None:
                raise error
            await asyncio.sleep(wait)
            attempt += 1

    async def __aenter__(self) -> "_AsyncClient":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        self.close()


class _SyncClient(_Client):
    def _call(self, method: str, path: str, body: Any = None, params: Optional[Mapping[str, Any]] = None) -> Any:
        return self._transport.request(method, path, body, params)

    def __enter__(self) -> "_SyncClient":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def segment(value: Any, what: str) -> str:
    """One path segment (a model id or source name), escaped so it cannot change the route."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")
    return urllib.parse.quote(value, safe="@:")


def body(**fields: Any) -> dict:
    """A request body without the fields left out (None)."""
    return {k: v for k, v in fields.items() if v is not None}


def text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string")
    return value
