"""Unit tests of the client against a scripted http.server on 127.0.0.1 (no gateway, nothing beyond loopback).

Run: ``PYTHONPATH=clients/python python3 -m unittest discover -s clients/python/tests -v``
"""

from __future__ import annotations

import asyncio
import builtins
import json
import os
import socket
import threading
import time
import unittest
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple
from unittest import mock

import mcp_cluster
from mcp_cluster import errors
from mcp_cluster._http import parse_retry_after

KEY = "mcp_unit_test_key_0123456789abcdef"


class Scripted:
    """A local HTTP server that answers from a script and records what it was sent."""

    def __init__(self) -> None:
        self.answers: List[Tuple[int, Dict[str, str], Any, float]] = []
        self.default: Optional[Tuple[int, Dict[str, str], Any, float]] = None
        self.requests: List[Dict[str, Any]] = []
        self.lock = threading.Lock()
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                with scripted.lock:
                    scripted.requests.append({
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": json.loads(raw) if raw else None,
                    })
                    answer = scripted.answers.pop(0) if scripted.answers else scripted.default
                status, headers, body, delay = answer or (500, {}, {"error": "unscripted"}, 0.0)
                if delay:
                    time.sleep(delay)
                payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = _answer
            do_POST = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def answer(self, status: int, body: Any = None, headers: Optional[Dict[str, str]] = None, delay: float = 0.0) -> None:
        self.answers.append((status, headers or {}, {} if body is None else body, delay))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class ServerTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.server = Scripted()
        self.addCleanup(self.server.close)

    def sync(self, **kwargs: Any) -> mcp_cluster.SyncMCPClient:
        kwargs.setdefault("api_key", KEY)
        kwargs.setdefault("base_url", self.server.url)
        return mcp_cluster.SyncMCPClient(**kwargs)

    def assert_no_key(self, error: BaseException) -> None:
        self.assertNotIn(KEY, str(error))
        self.assertNotIn(KEY, repr(error))


class RetryAfterParsingTests(unittest.TestCase):
    def test_delta_seconds(self) -> None:
        self.assertEqual(parse_retry_after("3"), 3.0)
        self.assertEqual(parse_retry_after(" 0 "), 0.0)
        self.assertEqual(parse_retry_after("1.5"), 1.5)

    def test_unreadable_values_are_none(self) -> None:
        for value in (None, "", "  ", "-1", "abc", "nan", "inf", "-inf", "3 seconds", "Thu, 99 Foo 2026"):
            with self.subTest(value=value):
                self.assertIsNone(parse_retry_after(value))

    def test_http_date(self) -> None:
        now = datetime(2026, 12, 2, 5, 0, 0, tzinfo=timezone.utc)
        self.assertEqual(parse_retry_after(format_datetime(now + timedelta(seconds=42), usegmt=True), now), 42.0)
        # A date already past means "now".
        self.assertEqual(parse_retry_after(format_datetime(now - timedelta(seconds=42), usegmt=True), now), 0.0)


class ErrorMappingTests(ServerTestCase):
    def test_each_status_becomes_its_class_with_the_body_fields(self) -> None:
        cases = [
            (400, "validation_error", errors.ValidationError),
            (401, "invalid_api_key", errors.AuthenticationError),
            (403, "forbidden", errors.PermissionDeniedError),
            (404, "not_found", errors.NotFoundError),
            (409, "model_not_deployed", errors.ConflictError),
            (422, "question_not_understood", errors.ValidationError),
            (500, "internal_error", errors.ServerError),
            (502, "model_error", errors.ServerError),
            (503, "data_source_unavailable", errors.ServiceUnavailableError),
            (504, "query_timeout", errors.TimeoutError),
            (418, "teapot", errors.MCPError),
        ]
        client = self.sync(max_retries=0)
        for status, code, cls in cases:
            with self.subTest(status=status):
                self.server.answer(status, {"error": code, "detail": f"because {code}", "field": "question", "timestamp": "t"})
                with self.assertRaises(cls) as raised:
                    client.query("anything")
                error = raised.exception
                self.assertIsInstance(error, errors.MCPError)
                self.assertEqual(error.status, status)
                self.assertEqual(error.error, code)
                self.assertEqual(error.detail, f"because {code}")
                self.assertEqual(error.field, "question")
                self.assertEqual(error.body["timestamp"], "t")
                self.assertEqual(str(error), f"{status} {code}: because {code} (field: question)")
                self.assert_no_key(error)

    def test_a_key_echoed_by_the_server_is_not_in_the_message(self) -> None:
        self.server.answer(401, {"error": "invalid_api_key", "detail": f"The key {KEY} is unknown", "echo": [{"key": KEY}]})
        with self.assertRaises(errors.AuthenticationError) as raised:
            self.sync().list_models()
        self.assert_no_key(raised.exception)
        self.assertEqual(raised.exception.detail, "The key *** is unknown")
        self.assertNotIn(KEY, json.dumps(raised.exception.body))

    def test_a_body_that_is_not_json_is_the_detail(self) -> None:
        self.server.answer(502, f"Bad gateway from a proxy, key {KEY}")
        with self.assertRaises(errors.ServerError) as raised:
            self.sync().list_models()
        self.assertEqual(raised.exception.detail, "Bad gateway from a proxy, key ***")
        self.assertIsNone(raised.exception.error)

    def test_rate_limit_error_carries_retry_after_and_reset_time(self) -> None:
        self.server.answer(429, {"error": "rate_limit_exceeded", "detail": "Too many requests. Try again in 35 seconds.",
                                 "reset_time": 1800000000}, {"Retry-After": "35"})
        with self.assertRaises(errors.RateLimitError) as raised:
            self.sync().list_models()
        self.assertEqual(raised.exception.retry_after, 35.0)
        self.assertEqual(raised.exception.reset_time, 1800000000)
        self.assertEqual(len(self.server.requests), 1)  # 35 s is past the 30 s cap: raised at once

    def test_connection_refused_is_a_connection_error(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        # Nothing listens on the port once the probe is closed.
        with self.assertRaises(errors.ConnectionError) as raised:
            mcp_cluster.SyncMCPClient(api_key=KEY, base_url=f"http://127.0.0.1:{port}").list_models()
        self.assertIsInstance(raised.exception, builtins.ConnectionError)
        self.assertIsNone(raised.exception.status)
        self.assert_no_key(raised.exception)

    def test_a_slow_answer_is_a_timeout_error(self) -> None:
        self.server.answer(200, {}, delay=2.0)
        started = time.monotonic()
        with self.assertRaises(errors.TimeoutError) as raised:
            self.sync(timeout=0.3).list_models()
        self.assertLess(time.monotonic() - started, 1.8)
        self.assertIsInstance(raised.exception, builtins.TimeoutError)
        self.assert_no_key(raised.exception)

    def test_redirects_are_not_followed_so_the_key_goes_nowhere_else(self) -> None:
        self.server.answer(302, {}, {"Location": self.server.url + "/elsewhere"})
        with self.assertRaises(errors.MCPError) as raised:
            self.sync().list_models()
        self.assertEqual(raised.exception.status, 302)
        self.assertEqual([r["path"] for r in self.server.requests], ["/api/models"])


class RetryTests(ServerTestCase):
    def test_429_with_retry_after_is_retried_then_succeeds(self) -> None:
        self.server.answer(429, {"error": "rate_limit_exceeded"}, {"Retry-After": "0"})
        self.server.answer(200, {"models": []})
        self.assertEqual(self.sync().list_models(), {"models": []})
        self.assertEqual(len(self.server.requests), 2)

    def test_the_wait_is_what_retry_after_says(self) -> None:
        self.server.answer(503, {"error": "service_unavailable"}, {"Retry-After": "1"})
        self.server.answer(200, {"ok": True})
        started = time.monotonic()
        self.assertEqual(self.sync().list_models(), {"ok": True})
        self.assertGreaterEqual(time.monotonic() - started, 0.95)

    def test_retries_stop_after_max_retries_and_raise_with_retry_after(self) -> None:
        self.server.default = (429, {"Retry-After": "0"}, {"error": "quota_exceeded", "quota": "data_source", "reset_time": 1}, 0.0)
        with self.assertRaises(errors.RateLimitError) as raised:
            self.sync(max_retries=2).list_models()
        self.assertEqual(len(self.server.requests), 3)
        self.assertEqual(raised.exception.retry_after, 0.0)
        self.assertEqual(raised.exception.quota, "data_source")

    def test_no_retry_without_retry_after_or_with_retries_off(self) -> None:
        self.server.answer(429, {"error": "rate_limit_exceeded"})
        with self.assertRaises(errors.RateLimitError) as raised:
            self.sync().list_models()
        self.assertIsNone(raised.exception.retry_after)
        self.server.answer(503, {"error": "not_ready"}, {"Retry-After": "0"})
        with self.assertRaises(errors.ServiceUnavailableError):
            self.sync(max_retries=0).list_models()
        self.assertEqual(len(self.server.requests), 2)

    def test_other_errors_are_not_retried(self) -> None:
        for status in (400, 401, 403, 404, 500, 502, 504):
            self.server.answer(status, {"error": "x"}, {"Retry-After": "0"})
        client = self.sync()
        for _ in range(7):
            with self.assertRaises(errors.MCPError):
                client.list_models()
        self.assertEqual(len(self.server.requests), 7)

    def test_a_retry_after_past_the_cap_is_raised_at_once(self) -> None:
        self.server.answer(503, {"error": "model_unavailable"}, {"Retry-After": "3"})
        with self.assertRaises(errors.ServiceUnavailableError) as raised:
            self.sync(max_retry_wait=2).list_models()
        self.assertEqual(raised.exception.retry_after, 3.0)
        self.assertEqual(len(self.server.requests), 1)


class RequestShapeTests(ServerTestCase):
    def test_methods_send_the_documented_requests(self) -> None:
        self.server.default = (200, {}, {"rows": [{"a": 1}], "row_count": 1}, 0.0)
        client = self.sync()
        data = client.data
        result = client.query("Show me active jobs for today", source="jobs_db", limit=5)
        self.assertEqual(result.rows, [{"a": 1}])
        self.assertEqual(result.row_count, 1)
        client.execute_sql("SELECT 1")
        client.predict("mod_x", "This product is amazing!")
        client.predict("team/model@latest", {"features": [1, 2]})
        client.predict_batch("mod_x", ["a", {"text": "b"}])
        client.list_models()
        client.list_sources()
        data.query(source="snowflake", table="MARKET_ANALYTICS.JOB_TRENDS", filters={"region": "Austin, TX"})
        data.query("jobs_db", query={"title": "Software Engineer"}, fields=("job_id",), order_by=["-posted_date"], limit=3)
        data.schema("jobs_db")
        data.ask("how many jobs?")
        data.sql("SELECT 1", source="jobs_db", max_rows=2)
        seen = [(r["method"], r["path"], r["body"]) for r in self.server.requests]
        self.assertEqual(seen, [
            ("POST", "/api/data/ask", {"question": "Show me active jobs for today", "source": "jobs_db", "limit": 5}),
            ("POST", "/api/data/sql", {"sql": "SELECT 1"}),
            ("POST", "/api/models/mod_x/predict", {"text": "This product is amazing!"}),
            ("POST", "/api/models/team%2Fmodel@latest/predict", {"features": [1, 2]}),
            ("POST", "/api/models/mod_x/predict/batch", {"inputs": [{"text": "a"}, {"text": "b"}]}),
            ("GET", "/api/models", None),
            ("GET", "/api/datasources", None),
            ("POST", "/api/data/query", {"source": "snowflake", "table": "MARKET_ANALYTICS.JOB_TRENDS", "filters": {"region": "Austin, TX"}}),
            ("POST", "/api/data/query", {"source": "jobs_db", "query": {"title": "Software Engineer"}, "fields": ["job_id"],
                                         "order_by": ["-posted_date"], "limit": 3}),
            ("GET", "/api/datasources/jobs_db/schema", None),
            ("POST", "/api/data/ask", {"question": "how many jobs?"}),
            ("POST", "/api/data/sql", {"source": "jobs_db", "sql": "SELECT 1", "max_rows": 2}),
        ])
        for request in self.server.requests:
            self.assertEqual(request["headers"]["x-api-key"], KEY)
            self.assertEqual(request["headers"]["accept"], "application/json")
            if request["body"] is not None:
                self.assertEqual(request["headers"]["content-type"], "application/json")

    def test_address_and_key_come_from_the_environment(self) -> None:
        self.server.answer(200, {"ok": True})
        with mock.patch.dict(os.environ, {"MCP_BASE_URL": self.server.url + "/", "MCP_API_KEY": KEY}):
            client = mcp_cluster.SyncMCPClient()
            self.assertEqual(client.base_url, self.server.url)
            client.list_models()
        self.assertEqual(self.server.requests[0]["headers"]["x-api-key"], KEY)

    def test_without_any_key_no_header_is_sent(self) -> None:
        self.server.answer(401, {"error": "invalid_api_key"})
        with mock.patch.dict(os.environ, {}, clear=True):
            with self.assertRaises(errors.AuthenticationError):
                mcp_cluster.SyncMCPClient(base_url=self.server.url).list_models()
        self.assertNotIn("x-api-key", self.server.requests[0]["headers"])

    def test_reprs_never_show_the_key(self) -> None:
        for client in (self.sync(), mcp_cluster.MCPClient(api_key=KEY), mcp_cluster.DataSourceClient(api_key=KEY),
                       mcp_cluster.SyncDataSourceClient(api_key=KEY)):
            self.assertNotIn(KEY, repr(client))
            self.assertNotIn(KEY, repr(client._transport))

    def test_bad_arguments_are_refused_before_sending(self) -> None:
        client = self.sync()
        with self.assertRaises(ValueError):
            client.query("")
        with self.assertRaises(TypeError):
            client.predict("mod_x", 42)  # type: ignore[arg-type]
        with self.assertRaises(ValueError):
            mcp_cluster.SyncMCPClient(base_url="file:///etc/passwd")
        with self.assertRaises(ValueError):
            client.data.schema("")
        self.assertEqual(self.server.requests, [])


class AsyncTests(ServerTestCase):
    def client(self, **kwargs: Any) -> mcp_cluster.MCPClient:
        kwargs.setdefault("api_key", KEY)
        kwargs.setdefault("base_url", self.server.url)
        return mcp_cluster.MCPClient(**kwargs)

    def test_concurrent_awaits_overlap_and_do_not_block_the_loop(self) -> None:
        self.server.default = (200, {}, {"ok": True}, 0.5)
        client = self.client()

        async def main() -> Tuple[list, int, float]:
            ticks = 0
            stop = asyncio.Event()

            async def ticker() -> None:
                nonlocal ticks
                while not stop.is_set():
                    ticks += 1
                    await asyncio.sleep(0.01)

            tick = asyncio.ensure_future(ticker())
            started = time.monotonic()
            results = await asyncio.gather(*(client.list_models() for _ in range(10)))
            elapsed = time.monotonic() - started
            stop.set()
            await tick
            return results, ticks, elapsed

        results, ticks, elapsed = asyncio.run(main())
        self.assertEqual(results, [{"ok": True}] * 10)
        # Ten half-second answers one after another would take 5 s; the default executor runs several at once.
        self.assertLess(elapsed, 4.0)
        # The loop kept running while the requests were out.
        self.assertGreater(ticks, 20)

    def test_async_errors_and_retries_match_the_sync_ones(self) -> None:
        self.server.answer(429, {"error": "rate_limit_exceeded"}, {"Retry-After": "0"})
        self.server.answer(200, {"rows": []})
        self.server.answer(404, {"error": "not_found", "detail": "no such source"})
        client = self.client()

        async def main() -> Any:
            first = await client.data.query(source="jobs_db", query={"title": "x"})
            with self.assertRaises(errors.NotFoundError):
                await client.data.schema("nope")
            return first

        self.assertEqual(asyncio.run(main()).rows, [])
        self.assertEqual(len(self.server.requests), 3)

    def test_cancelling_during_a_retry_wait_stops_at_once(self) -> None:
        self.server.default = (503, {"Retry-After": "20"}, {"error": "service_unavailable"}, 0.0)
        client = self.client(max_retry_wait=30)

        async def main() -> float:
            task = asyncio.ensure_future(client.list_models())
            deadline = time.monotonic() + 10
            while not self.server.requests and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)
            started = time.monotonic()
            task.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await task
            return time.monotonic() - started

        self.assertLess(asyncio.run(main()), 1.0)
        self.assertEqual(len(self.server.requests), 1)


if __name__ == "__main__":
    unittest.main()
