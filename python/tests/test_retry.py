"""Retry rules against a tiny local fake of POST /api/ingest: 429 + Retry-After, 5xx, 4xx not retried, 413 split."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tether import DeliveryError, RateLimitError, Tether, TetherError


class FakeIngest:
    """Answers requests from a script of (status, headers) tuples, then 207 with every item stored (201)."""

    def __init__(self, script: list[tuple[int, dict[str, str]]]) -> None:
        self.script = list(script)
        self.requests: list[tuple[float, str, list[dict[str, Any]]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, body: list[dict[str, Any]]) -> None:
                fake.requests.append((time.monotonic(), self.path, body))
                status, headers = fake.script.pop(0) if fake.script else (0, {})
                if status == 413 and len(body) == 1:
                    status = 0
                if status:
                    payload = json.dumps(
                        {
                            "type": "about:blank",
                            "title": "x",
                            "status": status,
                            "code": "scripted",
                            "requestId": "req-1",
                        }
                    ).encode()
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("content-type", "application/problem+json")
                else:
                    results = [{"index": i, "status": 201, "id": e.get("id"), "seq": i + 1} for i, e in enumerate(body)]
                    payload = json.dumps({"accepted": len(body), "rejected": 0, "results": results}).encode()
                    self.send_response(207)
                    self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:
                n = int(self.headers.get("content-length", "0"))
                raw = json.loads(self.rfile.read(n) or b"{}")
                self._answer(raw.get("events", []) if isinstance(raw, dict) else [])

            def do_GET(self) -> None:
                self._answer([])

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake() -> Iterator[type[FakeIngest]]:
    made: list[FakeIngest] = []

    class Tracked(FakeIngest):
        def __init__(self, script: list[tuple[int, dict[str, str]]]) -> None:
            super().__init__(script)
            made.append(self)

    yield Tracked
    for f in made:
        f.close()


def test_429_waits_for_retry_after(fake: type[FakeIngest]) -> None:
    f = fake([(429, {"retry-after": "1"}), (503, {})])
    errors: list[TetherError] = []
    with Tether(f.url, flush_interval=0.01, on_error=errors.append) as t:
        s = t.session("s")
        ids = [s.log_action({"i": i}) for i in range(5)]
        assert t.flush(30)
        assert t.stats()["delivered"] == 5 and t.stats()["retries"] == 2
    assert errors == []
    assert len(f.requests) == 3
    assert f.requests[1][0] - f.requests[0][0] >= 0.95  # Retry-After: 1 (seconds) was honoured
    assert [e["id"] for e in f.requests[0][2]] == ids == [e["id"] for e in f.requests[2][2]]  # same ids every try


def test_4xx_is_reported_not_retried(fake: type[FakeIngest]) -> None:
    f = fake([(400, {})])
    errors: list[TetherError] = []
    with Tether(f.url, flush_interval=0.01, on_error=errors.append) as t:
        t.session("s").log_action({"x": 1})
        assert t.flush(30)
        assert t.stats()["rejected"] == 1 and t.stats()["retries"] == 0
    assert len(f.requests) == 1
    assert len(errors) == 1 and isinstance(errors[0], DeliveryError) and errors[0].reason == "rejected"


def test_413_splits_the_batch(fake: type[FakeIngest]) -> None:
    f = fake([(413, {}), (413, {})])
    with Tether(f.url, flush_at=8, flush_interval=0.01) as t:
        s = t.session("s")
        ids = [s.log_action({"i": i}) for i in range(8)]
        assert t.flush(30)
        assert t.stats()["delivered"] == 8
    sizes = [len(r[2]) for r in f.requests]
    assert sizes == [8, 4, 2, 2, 4]
    assert [e["id"] for r in f.requests[2:] for e in r[2]] == ids


def test_foreground_request_retries_429_then_raises(fake: type[FakeIngest]) -> None:
    f = fake([(429, {"retry-after": "0"})] * 3)
    with Tether(f.url, max_retries=2) as t, pytest.raises(RateLimitError) as err:
        t.health()
    assert len(f.requests) == 3
    assert err.value.status_code == 429 and err.value.retry_after == 0 and err.value.request_id == "req-1"
