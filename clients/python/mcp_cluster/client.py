"""The MCP client: questions in plain language, raw SQL and predictions (``from mcp.client import MCPClient``)."""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Union

from ._base import _AsyncClient, _SyncClient, body, segment, text
from .data import DataSourceClient, SyncDataSourceClient

__all__ = ["MCPClient", "SyncMCPClient"]


class _MCPMethods:
    _call: Any

    def query(self, question: str, source: Optional[str] = None, model: Optional[str] = None, limit: Optional[int] = None) -> Any:
        """``POST /api/data/ask``: ``"Show me active jobs for today"`` → the rows (``result["rows"]``), the structured
        query that was run (``result["query"]``), ``translator``, ``confidence`` and ``explanation``."""
        return self._call("POST", "/api/data/ask", body(question=text(question, "question"), source=source, model=model, limit=limit))

    def execute_sql(self, sql: str, source: Optional[str] = None, max_rows: Optional[int] = None, model: Optional[str] = None) -> Any:
        """``POST /api/data/sql``: one read-only statement; without ``source`` the gateway picks the readable source
        that has the table. Needs an admin key or a grant with ``"sql": true``."""
        return self._call("POST", "/api/data/sql", body(source=source, sql=text(sql, "sql"), max_rows=max_rows, model=model))

    def predict(self, model: str, input: Union[str, Mapping[str, Any]]) -> Any:  # noqa: A002 - the guide's word
        """``POST /api/models/{model}/predict``: a ``str`` is sent as ``{"text": ...}`` (as the user guide's client
        does), a dict as given."""
        return self._call("POST", f"/api/models/{segment(model, 'model')}/predict", _input(input))

    def predict_batch(self, model: str, inputs: List[Union[str, Mapping[str, Any]]]) -> Any:
        """``POST /api/models/{model}/predict/batch``: ``{"predictions": [...]}`` in the order of ``inputs``."""
        return self._call("POST", f"/api/models/{segment(model, 'model')}/predict/batch", {"inputs": [_input(i) for i in inputs]})

    def list_models(self) -> Any:
        """``GET /api/models``."""
        return self._call("GET", "/api/models")

    def get_model(self, model: str) -> Any:
        """``GET /api/models/{model}``."""
        return self._call("GET", f"/api/models/{segment(model, 'model')}")

    def list_sources(self) -> Any:
        """``GET /api/datasources``: ``{"data_sources": [...]}``, the sources the key may read."""
        return self._call("GET", "/api/datasources")


def _input(value: Union[str, Mapping[str, Any]]) -> dict:
    if isinstance(value, str):
        return {"text": value}
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError("input must be a str (sent as {\"text\": ...}) or a dict")


class MCPClient(_MCPMethods, _AsyncClient):
    """Async client: ``result = await client.query("Show me active jobs for today")``.

    ``MCPClient(api_key=None, base_url=None, timeout=30, max_retries=2, max_retry_wait=30)``; the key defaults to
    ``$MCP_API_KEY``, the address to ``$MCP_BASE_URL``, else ``http://localhost:8000``. ``client.data`` is a
    :class:`DataSourceClient` sharing its settings."""

    @property
    def data(self) -> DataSourceClient:
        return DataSourceClient(_transport=self._transport)


class SyncMCPClient(_MCPMethods, _SyncClient):
    """The blocking twin of :class:`MCPClient` (same methods, no ``await``), for scripts and notebooks."""

    @property
    def data(self) -> SyncDataSourceClient:
        return SyncDataSourceClient(_transport=self._transport)
