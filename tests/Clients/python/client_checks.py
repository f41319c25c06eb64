"""The client's errors, retries, sync twins and concurrency against a real gateway; prints a JSON report for the test.

Usage: python3 client_checks.py [errors] [sync] [concurrent] [rate_limit]

Environment: MCP_BASE_URL (the gateway), MCP_API_KEY (a key that may read the samples but has no raw-SQL grant),
WRONG_KEY (well formed, unknown), LIMITED_KEY (rate limit 2/second), CLOSED_URL (an address nothing listens on).
"""

import asyncio
import json
import logging
import os
import sys
import time

from mcp_cluster import (
    DataSourceClient,
    MCPClient,
    MCPError,
    RateLimitError,
    SyncDataSourceClient,
    SyncMCPClient,
)

GUIDE_QUERY = {"title": "Software Engineer", "location": "Austin, TX", "posted_date": "last_6m"}


def report(error):
    return {
        "type": type(error).__name__,
        "is_mcp_error": isinstance(error, MCPError),
        "is_builtin_connection_error": isinstance(error, ConnectionError),
        "status": getattr(error, "status", None),
        "error": getattr(error, "error", None),
        "detail": getattr(error, "detail", None),
        "field": getattr(error, "field", None),
        "retry_after": getattr(error, "retry_after", None),
        "reset_time": getattr(error, "reset_time", None),
        "str": str(error),
        "repr": repr(error),
    }


def raised(call):
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the test asserts on its kind
        return report(error)
    return None


class Retries(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def errors():
    client = SyncMCPClient()
    data = SyncDataSourceClient()
    return {
        "wrong_key": raised(lambda: SyncMCPClient(api_key=os.environ["WRONG_KEY"]).list_models()),
        # Raw SQL needs a grant with "sql": true (or an admin key).
        "forbidden": raised(lambda: client.execute_sql("SELECT job_id FROM jobs", source="jobs_db")),
        "not_found": raised(lambda: data.schema("no_such_source")),
        "validation": raised(lambda: data.query(source="jobs_db", query={"title": "Software Engineer"}, limit=5000)),
        "connection": raised(lambda: SyncMCPClient(base_url=os.environ["CLOSED_URL"]).list_models()),
    }


async def rate_limited():
    handler = Retries()
    logger = logging.getLogger("mcp_cluster")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    limited = DataSourceClient(api_key=os.environ["LIMITED_KEY"], max_retries=3)
    started = time.monotonic()
    answers = [await limited.sources() for _ in range(6)]
    retried = {
        "ok": sum(1 for a in answers if "data_sources" in a),
        "elapsed": time.monotonic() - started,
        "retries_logged": handler.messages,
    }
    logger.removeHandler(handler)
    exhausted = None
    once = SyncDataSourceClient(api_key=os.environ["LIMITED_KEY"], max_retries=0)
    for _ in range(20):
        try:
            once.sources()
        except RateLimitError as error:
            exhausted = report(error)
            break
    return retried, exhausted


def sync_twins():
    with SyncDataSourceClient() as data:
        jobs = data.query(source="jobs_db", query=GUIDE_QUERY)
        schema = data.schema("jobs_db")
    with SyncMCPClient() as client:
        sources = client.list_sources()
    return {
        "rows": jobs.rows,
        "row_count": jobs.row_count,
        "tables": [t["name"] for t in schema["tables"]],
        "sources": sorted(s["name"] for s in sources["data_sources"]),
    }


async def concurrent():
    client = MCPClient()
    gaps = []
    stop = asyncio.Event()

    async def ticker():
        last = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(0.005)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    tick = asyncio.ensure_future(ticker())
    started = time.monotonic()
    answers = await asyncio.gather(*(client.data.query(source="jobs_db", query={"title": "Software Engineer"}, limit=i + 1) for i in range(10)))
    elapsed = time.monotonic() - started
    stop.set()
    await tick
    return {
        "row_counts": [a.row_count for a in answers],
        "limits": [a["limit"] for a in answers],
        "elapsed": elapsed,
        "ticks": len(gaps),
        "max_gap": max(gaps) if gaps else None,
    }


def main(sections):
    out = {}
    if "errors" in sections:
        out["errors"] = errors()
    if "sync" in sections:
        out["sync"] = sync_twins()
    if "concurrent" in sections:
        out["concurrent"] = asyncio.run(concurrent())
    if "rate_limit" in sections:
        out["rate_limit_retried"], out["rate_limit_exhausted"] = asyncio.run(rate_limited())
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
