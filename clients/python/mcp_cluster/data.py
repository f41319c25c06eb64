"""Data access: structured queries (the user guide's ``DataSourceClient``), plain-language questions and raw SQL."""

from __future__ import annotations

from typing import Any, Iterable, List, Mapping, Optional, Union

from ._base import _AsyncClient, _SyncClient, body, segment, text

__all__ = ["DataSourceClient", "SyncDataSourceClient"]

Filters = Union[Mapping[str, Any], List[Mapping[str, Any]]]


class _DataMethods:
    _call: Any

    def query(
        self,
        source: str,
        query: Optional[Mapping[str, Any]] = None,
        table: Optional[str] = None,
        filters: Optional[Filters] = None,
        fields: Optional[Iterable[str]] = None,
        order_by: Optional[Union[str, List[Any]]] = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        aggregates: Optional[List[Mapping[str, Any]]] = None,
        group_by: Optional[List[str]] = None,
        model: Optional[str] = None,
    ) -> Any:
        """``POST /api/data/query``. ``query`` (the guide's ``{"field": value}``) and ``filters`` (the same dict
        shorthand, or the list ``[{"field", "op", "value"}]``) are sent as given; a date field's ``"last_6m"`` means
        the last six months. Answers ``{source, table, columns, rows, row_count, ...}``."""
        return self._call("POST", "/api/data/query", body(
            source=text(source, "source"),
            table=table,
            query=dict(query) if query is not None else None,
            filters=_filters(filters),
            fields=list(fields) if fields is not None else None,
            order_by=order_by,
            limit=limit,
            offset=offset,
            aggregates=aggregates,
            group_by=group_by,
            model=model,
        ))

    def ask(self, question: str, source: Optional[str] = None, model: Optional[str] = None, limit: Optional[int] = None) -> Any:
        """``POST /api/data/ask``: a question in plain language, answered with the rows and the query it ran."""
        return self._call("POST", "/api/data/ask", body(question=text(question, "question"), source=source, model=model, limit=limit))

    def sql(self, sql: str, source: Optional[str] = None, max_rows: Optional[int] = None, model: Optional[str] = None) -> Any:
        """``POST /api/data/sql``: one read-only statement (admin key, or a grant with ``"sql": true``)."""
        return self._call("POST", "/api/data/sql", body(source=source, sql=text(sql, "sql"), max_rows=max_rows, model=model))

    def sources(self) -> Any:
        """``GET /api/datasources``: ``{"data_sources": [...]}``, the sources the key may read."""
        return self._call("GET", "/api/datasources")

    list_sources = sources

    def schema(self, source: str) -> Any:
        """``GET /api/datasources/{source}/schema``: the tables and fields the key may read."""
        return self._call("GET", f"/api/datasources/{segment(source, 'source')}/schema")

    def status(self, source: str) -> Any:
        """``GET /api/datasources/{source}/status``."""
        return self._call("GET", f"/api/datasources/{segment(source, 'source')}/status")

    def usage(self, source: str) -> Any:
        """``GET /api/datasources/{source}/usage``: the key's queries and rows today and what remains."""
        return self._call("GET", f"/api/datasources/{segment(source, 'source')}/usage")


def _filters(filters: Optional[Filters]) -> Any:
    if filters is None:
        return None
    if isinstance(filters, Mapping):
        return dict(filters)
    return [dict(f) for f in filters]


class DataSourceClient(_DataMethods, _AsyncClient):
    """Async data client: ``await data_client.query(source="jobs_db", query={...})``.

    ``DataSourceClient(api_key=None, base_url=None, timeout=30, max_retries=2, max_retry_wait=30)``; the key defaults
    to ``$MCP_API_KEY``, the address to ``$MCP_BASE_URL``, else ``http://localhost:8000``."""


class SyncDataSourceClient(_DataMethods, _SyncClient):
    """The blocking twin of :class:`DataSourceClient` (same methods, no ``await``)."""
