"""The sync and async clients against a real server: sessions, events, search, finalize, errors."""

from __future__ import annotations

import asyncio

import pytest

from tether import (
    APIConnectionError,
    AsyncTether,
    BadRequestError,
    ConflictError,
    NotFoundError,
    Tether,
)

from .conftest import TetherServer, free_port


def test_sync_client_sessions_events_search_finalize(server: TetherServer, sid: str) -> None:
    with Tether(server.url, flush_interval=0.05) as t:
        s = t.create_session(sid, type="pytest-sync", tags=["python"], metadata={"model": "m1"})
        assert s.session_id == sid and s.summary is not None and s.summary["status"] == "active"
        s.log_action({"type": "tool_call", "tool": "bash", "input": "echo zebrafish"})
        s.log_response({"role": "assistant", "content": "done"})
        gid = s.add_goal("find the zebrafish", priority="high")
        s.update_goal(gid, status="completed")
        aid = s.spawn_agent("researcher", task="look around")
        s.complete_agent(aid, result={"found": True})
        s.update_state({"phase": "execution", "currentStep": "processing"})
        assert t.flush(30)

        restored = t.get_session(sid)
        assert [a["tool"] for a in restored["actions"]] == ["bash"]
        assert restored["state"]["phase"] == "execution"
        assert restored["state"]["goals"][0]["goalId"] == gid and restored["state"]["goals"][0]["status"] == "completed"
        assert restored["state"]["agents"]["completed"] == [aid]

        page = t.list_events(sid, after=2)
        assert [e["seq"] for e in page["events"]] == list(range(3, 9))
        assert [e["kind"] for e in t.iter_events(sid)][:3] == ["session_created", "action", "response"]

        listed = t.list_sessions(type="pytest-sync", tag="python")
        assert sid in [x["sessionId"] for x in listed["sessions"]]
        assert sid in [x["sessionId"] for x in t.iter_sessions(type="pytest-sync", limit=1)]

        hits = t.search("zebrafish")["results"]
        assert any(h["sessionId"] == sid for h in hits)

        fin = t.finalize_session(sid, "completed", final={"answer": 42})
        assert fin["status"] == "completed" and fin["session"]["status"] == "completed"
        assert t.stats()["delivered"] == 7


def test_errors_have_status_code_and_request_id(server: TetherServer, sid: str) -> None:
    with Tether(server.url, max_retries=0) as t:
        with pytest.raises(NotFoundError) as nf:
            t.get_session(sid)
        assert nf.value.status_code == 404 and nf.value.code == "session_not_found" and nf.value.request_id
        t.create_session(sid)
        with pytest.raises(ConflictError) as conflict:
            t.create_session(sid)
        assert conflict.value.code == "session_exists"
        with pytest.raises(BadRequestError):
            t.list_events(sid, limit=0)


def test_connection_error_after_retries() -> None:
    with Tether(f"http://127.0.0.1:{free_port()}", max_retries=1) as t, pytest.raises(APIConnectionError):
        t.health()


async def test_async_client(server: TetherServer, sid: str) -> None:
    async with AsyncTether(server.url, flush_interval=0.05) as t:
        s = await t.create_session(sid, type="pytest-async")
        for i in range(25):
            s.log_action({"type": "step", "i": i})
        s.finalize("failed", final={"why": "test"})
        assert await t.flush(30)
        events = [e async for e in t.iter_events(sid)]
        assert [e["seq"] for e in events] == list(range(1, 28))
        assert events[-1]["kind"] == "session_finalized"
        listed = await t.list_sessions(type="pytest-async", status="failed")
        assert [x["sessionId"] for x in listed["sessions"]] == [sid]
        with pytest.raises(NotFoundError):
            await t.get_state("no-such-session-" + sid)
        assert (await t.health())["status"] == "ok"
        results = await asyncio.gather(t.get_session(sid), t.list_events(sid, after=26))
        assert results[1]["events"][0]["kind"] == "session_finalized"
