"""Live subscription over SSE against a real server: replay + live, and resume across a server SIGKILL/restart."""

from __future__ import annotations

import asyncio
import threading
import time

from tether import AsyncTether, LiveMessage, Tether

from .conftest import TetherServer


def test_session_subscription_resumes_across_server_restart(make_server: type[TetherServer], sid: str) -> None:
    srv = make_server().start()
    got: list[LiveMessage] = []
    done = threading.Event()

    def read() -> None:
        with Tether(srv.url) as reader:
            for msg in reader.subscribe(sid, after=0):
                got.append(msg)
                if len(got) >= 31:
                    break
        done.set()

    with Tether(srv.url, flush_interval=0.02) as t:
        s = t.session(sid)
        for i in range(20):
            s.log_action({"i": i})
        assert t.flush(30)
        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + 30
        while len(got) < 21 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(got) == 21  # session_created + 20 actions, replayed from storage
        srv.kill()
        srv.start()  # same port and data dir; the reader reconnects with Last-Event-ID: 21
        for i in range(20, 30):
            s.log_action({"i": i})
        assert t.flush(60)
        assert done.wait(60)
    assert [m["seq"] for m in got] == list(range(1, 32))
    assert [m["data"]["i"] for m in got[1:]] == list(range(30))
    assert got[0]["type"] == "session_created" and got[1]["type"] == "action" and got[1]["channel"] == "session"


async def test_async_live_only_subscription(server: TetherServer, sid: str) -> None:
    async with AsyncTether(server.url, flush_interval=0.02) as t:
        s = t.session(sid)
        s.log_action({"before": True})
        assert await t.flush(30)
        received: list[LiveMessage] = []

        async def read() -> None:
            async for msg in t.subscribe(sid):  # live only: nothing from before
                received.append(msg)
                if msg["type"] == "session_finalized":
                    return

        reader = asyncio.create_task(read())
        for _ in range(300):  # until the subscription is live: it sees one of these pings
            s.log_action({"ping": True})
            await t.flush(30)
            await asyncio.sleep(0.05)
            if received:
                break
        s.update_state({"phase": "live"})
        s.finalize()
        assert await t.flush(30)
        await asyncio.wait_for(reader, 30)
    assert received and received[0]["seq"] > 2  # nothing replayed: seq 1 and 2 came before the subscription
    assert [m["type"] for m in received][-2:] == ["state_updated", "session_finalized"]
    seqs = [m["seq"] for m in received]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))


def test_firehose_replays_after_pos(server: TetherServer, sid: str) -> None:
    with Tether(server.url, flush_interval=0.02) as t:
        t.session(sid).log_action({"fire": "hose"})
        assert t.flush(30)
        seen: list[LiveMessage] = []
        for msg in t.subscribe(after=0):  # every session, from the first event ever
            if msg.get("sessionId") == sid:
                seen.append(msg)
                if len(seen) == 2:
                    break
    assert [m["kind"] for m in seen] == ["session_created", "action"]
    assert all(m["channel"] == "firehose" and isinstance(m["pos"], int) for m in seen)
