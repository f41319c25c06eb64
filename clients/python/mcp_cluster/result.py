"""Answers are the gateway's decoded JSON; objects come back as :class:`Result`, a plain ``dict`` with shortcuts."""

from __future__ import annotations

from typing import Any, Dict, List


class Result(Dict[str, Any]):
    """The decoded JSON object the gateway answered (a real ``dict``: index it, ``json.dumps`` it), plus shortcuts
    for data answers: ``rows``, ``columns``, ``row_count``."""

    @property
    def rows(self) -> List[Dict[str, Any]]:
        rows = self.get("rows")
        return rows if isinstance(rows, list) else []

    @property
    def columns(self) -> List[Dict[str, Any]]:
        columns = self.get("columns")
        return columns if isinstance(columns, list) else []

    @property
    def row_count(self) -> int:
        count = self.get("row_count")
        return count if isinstance(count, int) else len(self.rows)


def wrap(body: Any) -> Any:
    """A JSON object becomes a :class:`Result`; anything else (list, text, None) is returned as decoded."""
    return Result(body) if isinstance(body, dict) else body
