"""Delivery guarantees against real servers: batching, outages, SIGKILL mid-batch, close() flushing."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import Counter
from pathlib import Path
from types import MappingProxyType

import httpx

from tether import DeliveryError, Tether, TetherError

from .conftest import TetherServer


def assert_exactly_once(server: TetherServer, session_id: str, ids: list[str]) -> None:
    """Every id is stored once, in order, and the session's seqs are 1..N without gaps."""
    events = server.events(session_id)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    stored = [e["id"] for e in events if e["kind"] != "session_created"]
    dupes = [i for i, n in Counter(stored).items() if n > 1]
    assert not dupes, f"{len(dupes)} events stored twice"
    assert stored == ids, f"stored {len(stored)} of {len(ids)} events (or out of order)"


def test_batching_sends_flush_at_events_per_request(server: TetherServer, sid: str) -> None:
    with Tether(server.url, flush_at=50, flush_interval=30) as t:
        s = t.session(sid)
        ids = [s.log_action({"i": i}) for i in range(250)]
        assert t.flush(30)
        stats = t.stats()
        assert stats["batches"] == 5, stats  # 250 events / 50 per batch; the 30 s interval never fired
        assert stats["delivered"] == 250 and stats["retries"] == 0
    assert_exactly_once(server, sid, ids)


def test_interval_sends_a_partial_batch(server: TetherServer, sid: str) -> None:
    with Tether(server.url, flush_at=1000, flush_interval=0.05) as t:
        s = t.session(sid)
        eid = s.log_action({"only": "one"})
        deadline = time.monotonic() + 20
        while t.stats()["delivered"] < 1 and time.monotonic() < deadline:
            time.sleep(0.02)  # no flush(): the interval alone must send it
        assert t.stats()["delivered"] == 1
    assert_exactly_once(server, sid, [eid])


def test_close_flushes_everything(server: TetherServer, sid: str) -> None:
    t = Tether(server.url, flush_at=1000, flush_interval=60)
    s = t.session(sid)
    ids = [s.log_action({"i": i}) for i in range(300)]
    assert t.stats()["delivered"] == 0
    assert t.close(30) is True
    assert_exactly_once(server, sid, ids)


def test_server_down_at_first_then_up(make_server: type[TetherServer], sid: str) -> None:
    srv = make_server()  # port chosen, nothing listening yet
    errors: list[TetherError] = []
    with Tether(srv.url, flush_at=20, flush_interval=0.05, on_error=errors.append) as t:
        s = t.session(sid)
        ids = [s.log_action({"i": i}) for i in range(100)]
        assert t.flush(0.5) is False  # nothing can be delivered yet
        deadline = time.monotonic() + 20
        while t.stats()["retries"] < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert t.stats()["retries"] >= 2
        srv.start()
        ids += [s.log_action({"i": i}) for i in range(100, 150)]
        assert t.flush(60)
        assert t.stats()["delivered"] == 150
    assert errors == []
    assert_exactly_once(srv, sid, ids)


def test_server_sigkilled_mid_batch_and_restarted(make_server: type[TetherServer], sid: str) -> None:
    srv = make_server().start()
    errors: list[TetherError] = []
    # Big batches, sent back to back: the SIGKILL lands while batches are in flight, so some are stored without the
    # answer reaching us. Their retry must come back as duplicates, never as second copies.
    with Tether(
        srv.url, flush_at=500, flush_interval=0.01, max_queue_size=100_000, on_error=errors.append, timeout=5
    ) as t:
        s = t.session(sid)
        ids: list[str] = []
        stop = threading.Event()

        def produce() -> None:
            i = 0
            while not stop.is_set() and i < 40_000:
                ids.append(s.log_action({"i": i, "pad": "x" * 200}))
                i += 1
                if i % 500 == 0:
                    time.sleep(0.001)

        producer = threading.Thread(target=produce)
        producer.start()
        deadline = time.monotonic() + 30
        while t.stats()["batches"] < 3 and time.monotonic() < deadline:
            time.sleep(0.001)
        srv.kill()  # SIGKILL while the producer keeps logging and the sender keeps posting
        time.sleep(0.3)
        srv.start()  # same port, same data dir
        time.sleep(0.2)
        stop.set()
        producer.join()
        assert t.flush(120)
        stats = t.stats()
    assert errors == []
    print("sigkill stats", stats)
    assert stats["retries"] >= 1, stats
    assert stats["delivered"] + stats["duplicates"] == len(ids)
    assert_exactly_once(srv, sid, ids)


def test_rejected_events_are_reported_not_retried(server: TetherServer, sid: str) -> None:
    errors: list[TetherError] = []
    with Tether(server.url, flush_interval=0.05, on_error=errors.append) as t:
        s = t.session(sid)
        ok = s.log_action({"fine": True})
        s.update_goal("goal-that-does-not-exist", status="completed")  # 404 goal_not_found for this item only
        ok2 = s.log_action({"fine": "still"})
        assert t.flush(30)
        assert t.stats()["rejected"] == 1 and t.stats()["retries"] == 0
    assert len(errors) == 1 and isinstance(errors[0], DeliveryError)
    assert errors[0].reason == "rejected" and errors[0].results[0]["code"] == "goal_not_found"
    assert_exactly_once(server, sid, [ok, ok2])


def test_queue_full_drops_oldest_and_counts(sid: str) -> None:
    errors: list[TetherError] = []
    # Nothing listens on port 9 (discard); the queue fills and the oldest events are dropped, never the agent blocked.
    t = Tether("http://127.0.0.1:9", max_queue_size=10, flush_at=100, flush_interval=30, on_error=errors.append)
    s = t.session(sid)
    for i in range(25):
        s.log_action({"i": i})
    stats = t.stats()
    assert stats["dropped"] == 15 and stats["queued"] == 10  # nothing was due yet: the newest 10 remain
    assert all(isinstance(e, DeliveryError) and e.reason == "dropped" for e in errors)
    t.close(0.2)
    assert isinstance(errors[-1], DeliveryError) and errors[-1].reason == "shutdown"


class LoseAnswers(httpx.BaseTransport):
    """Forwards to the real server, then throws the answer away for the requests numbered in ``lose`` (1-based),
    as when the service stores a batch and dies before answering."""

    def __init__(self, lose: set[int]) -> None:
        self.inner = httpx.HTTPTransport()
        self.lose = lose
        self.n = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.n += 1
        resp = self.inner.handle_request(request)
        if self.n in self.lose:
            resp.read()
            resp.close()
            raise httpx.ReadError("connection reset after the server stored the batch", request=request)
        return resp


def test_stored_batch_whose_answer_was_lost_is_not_stored_twice(server: TetherServer, sid: str) -> None:
    transport = LoseAnswers({2, 3})
    with Tether(server.url, flush_at=10, flush_interval=0.01, sender_transport=transport) as t:
        s = t.session(sid)
        ids = [s.log_action({"i": i}) for i in range(40)]
        assert t.flush(30)
        stats = t.stats()
    assert stats["duplicates"] == 10 and stats["delivered"] == 30 and stats["retries"] == 2, stats
    assert_exactly_once(server, sid, ids)


def test_block_policy_waits_for_room_and_loses_nothing(server: TetherServer, sid: str) -> None:
    with Tether(server.url, max_queue_size=5, flush_at=5, flush_interval=0.01, on_full="block") as t:
        s = t.session(sid)
        ids = [s.log_action({"i": i}) for i in range(200)]  # the queue holds 5: most calls wait for the sender
        assert t.flush(60)
        assert t.stats()["dropped"] == 0
    assert_exactly_once(server, sid, ids)


def test_block_policy_gives_up_after_block_timeout(sid: str) -> None:
    errors: list[TetherError] = []
    t = Tether(
        "http://127.0.0.1:9", max_queue_size=2, flush_at=100, flush_interval=30, on_full="block", on_error=errors.append
    )
    t.settings.__dict__["block_timeout"] = 0.2  # frozen dataclass: tests set the short wait directly
    s = t.session(sid)
    s.log_action({"i": 0})
    s.log_action({"i": 1})
    newest = s.log_action({"i": 2})  # waits 0.2 s for room that never comes, then this event is dropped
    assert t.stats()["dropped"] == 1 and t.stats()["queued"] == 2
    assert isinstance(errors[0], DeliveryError) and errors[0].events[0]["id"] == newest
    t.close(0.1)


def test_event_is_encoded_when_logged(server: TetherServer, sid: str) -> None:
    """The log call encodes the event: changing the passed objects afterwards does not change what is stored."""
    nested = {"command": "ls", "args": ["-la"]}
    action: dict[str, object] = {"type": "tool_call", "input": nested, "when": dt.datetime(2026, 3, 3, 10, 0)}
    with Tether(server.url, flush_at=1000, flush_interval=30) as t:
        s = t.session(sid)
        first = s.log_action(action)
        action["type"] = "changed"
        nested["command"] = "rm -rf /"
        nested["args"].append("x")  # type: ignore[attr-defined]
        second = s.log_action(MappingProxyType({"tags": {"b"}, "text": "a\ud800b"}))  # any Mapping; a lone surrogate
        assert t.flush(30)
    assert_exactly_once(server, sid, [first, second])
    stored = [e["data"] for e in server.events(sid) if e["kind"] == "action"]
    assert stored[0] == {
        "type": "tool_call",
        "input": {"command": "ls", "args": ["-la"]},
        "when": "2026-03-03T10:00:00",
    }
    assert stored[1] == {"tags": ["b"], "text": "a\ufffdb"}  # the service reads the \ud800 escape as U+FFFD


def test_unencodable_event_is_rejected_by_the_log_call(server: TetherServer, sid: str) -> None:
    """Circular data or non-string keys do not raise into the agent: the event is rejected and reported."""
    errors: list[TetherError] = []
    circular: dict[str, object] = {"type": "loop"}
    circular["self"] = circular
    with Tether(server.url, flush_interval=0.05, on_error=errors.append) as t:
        s = t.session(sid)
        ok = s.log_action({"fine": True})
        bad1 = s.log_action(circular)
        bad2 = s.log_action({(1, 2): "tuple key"})  # type: ignore[dict-item]
        ok2 = s.log_action({"fine": "still"})
        assert t.flush(30)
        stats = t.stats()
    assert stats["rejected"] == 2 and stats["delivered"] == 2 and stats["enqueued"] == 4, stats
    assert [e.reason for e in errors if isinstance(e, DeliveryError)] == ["rejected", "rejected"]
    assert [e.events[0]["id"] for e in errors if isinstance(e, DeliveryError)] == [bad1, bad2]
    assert_exactly_once(server, sid, [ok, ok2])


class Answer503ForOdd(httpx.BaseTransport):
    """Forwards to the real server, then rewrites the first answer as if every odd item had failed with 503 (they were
    stored, so their retry comes back as duplicates): exercises the per-item path of the results."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.n = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.n += 1
        resp = self.inner.handle_request(request)
        if self.n != 1:
            return resp
        answer = json.loads(resp.read())
        for r in answer["results"]:
            if r["index"] % 2:
                r.update(status=503, code="unavailable")
        answer["accepted"] = sum(r["status"] in (200, 201) for r in answer["results"])
        answer["rejected"] = len(answer["results"]) - answer["accepted"]
        return httpx.Response(207, json=answer)


def test_items_answered_503_are_retried_alone(server: TetherServer, sid: str, tmp_path: Path) -> None:
    transport = Answer503ForOdd()
    spool = str(tmp_path / "spool")
    with Tether(server.url, flush_at=20, flush_interval=30, sender_transport=transport, spool_dir=spool) as t:
        s = t.session(sid)
        ids = [s.log_action({"i": i}) for i in range(20)]
        assert t.flush(30)
        stats = t.stats()
    assert stats["delivered"] == 10 and stats["duplicates"] == 10 and stats["retries"] == 1, stats
    assert transport.n == 2
    assert_exactly_once(server, sid, ids)
    assert list(Path(spool).glob("*.batch.json")) == []
